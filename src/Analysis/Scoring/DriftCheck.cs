using System.Globalization;

namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// Compares a scoring run's features and scores with the model's training window by the population
/// stability index (PSI = Σ (p − q) · ln(p / q) over the baseline's bins). Rules of thumb: below 0.1
/// stable, 0.1–0.25 moving, above 0.25 a shift worth retraining for. Counts accumulate row by row, so a
/// run of any size is checked in constant memory.
/// </summary>
public sealed class DriftCheck
{
    private const double Floor = 1e-4;

    /// <summary>Fewest addresses for a meaningful comparison: with fewer, every bin is noise.</summary>
    public const int MinimumRows = 100;

    private readonly ModelManifest manifest;
    private readonly double warningPsi;
    private readonly Baseline baseline;
    private readonly string kind;
    private readonly long[][] featureCounts;
    private readonly long[] scoreCounts;
    private long rows;

    /// <param name="day">The day being scored: compared with the window's days of the same kind (working day or weekend) where it had some.</param>
    public DriftCheck(ModelManifest manifest, DateOnly day, double warningPsi)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        this.manifest = manifest;
        this.warningPsi = warningPsi;
        kind = Baseline.KindOf(day);
        Against = manifest.Baselines.ContainsKey(kind) ? kind : Baseline.AllDays;
        baseline = manifest.Baselines[Against];
        featureCounts = [.. baseline.Features.Select(d => new long[d.Shares.Count])];
        scoreCounts = new long[baseline.Score.Shares.Count];
    }

    /// <summary>Which of the window's days the run is compared with: <c>weekday</c>, <c>weekend</c> or <c>all</c>.</summary>
    public string Against { get; }

    public void Add(IpFeatureRow row, double score)
    {
        ArgumentNullException.ThrowIfNull(row);
        for (var i = 0; i < featureCounts.Length; i++)
        {
            featureCounts[i][BinOf(baseline.Features[i].Edges, row.Values[i])]++;
        }

        scoreCounts[BinOf(baseline.Score.Edges, score)]++;
        rows++;
    }

    /// <summary>Whether there were enough addresses to compare (<see cref="MinimumRows"/>).</summary>
    public bool Checked => rows >= MinimumRows;

    /// <summary>The largest PSI over the features and the score; 0 when not <see cref="Checked"/>.</summary>
    public double MaxPsi => Checked ? Indexes().Max(p => p.Psi) : 0;

    /// <summary>One sentence per feature (or the score) whose PSI passes the warning level, worst first; none when not <see cref="Checked"/>.</summary>
    public IReadOnlyList<string> Warnings() =>
        !Checked ? [] : [.. Indexes().Where(p => p.Psi > warningPsi).OrderByDescending(p => p.Psi).Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Name} moved from the training window's {(Against == Baseline.AllDays ? $"days, which had no {kind}s," : Against + "s")} (PSI {p.Psi:F2} > {warningPsi:F2})"))];

    private IEnumerable<(string Name, double Psi)> Indexes()
    {
        for (var i = 0; i < featureCounts.Length; i++)
        {
            yield return (manifest.Features[i], Psi(baseline.Features[i].Shares, featureCounts[i]));
        }

        yield return ("score", Psi(baseline.Score.Shares, scoreCounts));
    }

    private double Psi(IReadOnlyList<double> expected, long[] counts)
    {
        double psi = 0;
        for (var bin = 0; bin < counts.Length; bin++)
        {
            var p = Math.Max(counts[bin] / (double)rows, Floor);
            var q = Math.Max(expected[bin], Floor);
            psi += (p - q) * Math.Log(p / q);
        }

        return psi;
    }

    private static int BinOf(IReadOnlyList<double> edges, double value)
    {
        var bin = 0;
        while (bin < edges.Count && value > edges[bin])
        {
            bin++;
        }

        return bin;
    }
}
