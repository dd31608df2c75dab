using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayWatch.Analysis.Scoring;

/// <summary>How a feature (or the score) was distributed in the training window: bin edges and the share in each bin.</summary>
/// <param name="Edges">Upper bounds of all bins but the last, ascending; a value goes in the first bin whose edge is not below it.</param>
public sealed record Distribution(IReadOnlyList<double> Edges, IReadOnlyList<double> Shares)
{
    /// <summary>
    /// Bins for <paramref name="values"/>: one per value when there are ten or fewer (flags, small counts),
    /// else ten of equal width over their range. Not deciles: a feature that many senders share one value
    /// of (the neighbours of a big provider's /24) would get hair-thin bins, and the slightest day-to-day
    /// change in that value would look like a landslide.
    /// </summary>
    public static Distribution Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var distinct = values.Distinct().Order().ToList();
        List<double> edges = distinct.Count <= 10
            ? [.. distinct.SkipLast(1)]
            : [.. Enumerable.Range(1, 9).Select(i => distinct[0] + ((distinct[^1] - distinct[0]) * i / 10))];
        return new Distribution(edges, SharesOf(edges, values));
    }

    /// <summary>The share of <paramref name="values"/> in each of these bins.</summary>
    public IReadOnlyList<double> SharesFor(IReadOnlyList<double> values) => SharesOf(Edges, values);

    private static double[] SharesOf(IReadOnlyList<double> edges, IReadOnlyList<double> values)
    {
        var counts = new double[edges.Count + 1];
        foreach (var value in values)
        {
            var bin = 0;
            while (bin < edges.Count && value > edges[bin])
            {
                bin++;
            }

            counts[bin]++;
        }

        return [.. counts.Select(c => values.Count == 0 ? 0 : c / values.Count)];
    }
}

/// <summary>What the features and scores looked like in the training window, for drift checks.</summary>
/// <param name="Features">Each feature's distribution over the training window.</param>
/// <param name="Score">The scores' distribution over the evaluation window (the training window for an anomaly model).</param>
public sealed record Baseline(IReadOnlyList<Distribution> Features, Distribution Score)
{
    /// <summary>Key of the baseline over every day.</summary>
    public const string AllDays = "all";

    /// <summary>Mail has a weekly rhythm: a Sunday is compared with the window's weekends, a Tuesday with its working days.</summary>
    public static string KindOf(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? "weekend" : "weekday";
}

/// <summary>The range of a feature among the good senders of the training window (5th to 95th percentile).</summary>
public sealed record ValueRange(double Low, double High)
{
    public bool Contains(double value) => value >= Low && value <= High;
}

/// <summary>Where a model's windows lie: the days it learned from and the later days it was measured on.</summary>
public sealed record DayWindow(DateOnly First, DateOnly Last);

/// <summary>Everything known about a trained model besides its parameters; stored as JSON next to it in <c>ip_models</c>.</summary>
/// <param name="Kind"><see cref="ModelKinds.Supervised"/> or <see cref="ModelKinds.Anomaly"/>.</param>
/// <param name="Features">The feature names in input order; scoring checks them against <see cref="FeatureCatalog"/>.</param>
/// <param name="LabelSources">How many training addresses each label source gave.</param>
/// <param name="Evaluation">Ranking quality on the evaluation window against the same kind of labels; null when there were none to measure.</param>
/// <param name="Baselines">Distributions for drift checks: over all days (<see cref="Baseline.AllDays"/>) and per kind of day the window had (<see cref="Baseline.KindOf"/>).</param>
/// <param name="GoodRanges">Per feature, where the good senders of the training window lay: a reason must lie outside it.</param>
/// <param name="AnomalyReference">For an anomaly model: its raw scores on the training window, sorted, to turn a raw score into a share.</param>
/// <param name="Means">Per feature over the training window (anomaly reasons use them).</param>
/// <param name="Deviations">Standard deviation per feature over the training window.</param>
public sealed record ModelManifest(
    string Version,
    string Kind,
    string FeatureSet,
    IReadOnlyList<string> Features,
    DateTime TrainedAt,
    int Seed,
    DayWindow TrainingWindow,
    DayWindow? EvaluationWindow,
    int BadLabels,
    int GoodLabels,
    IReadOnlyDictionary<string, int> LabelSources,
    RankingMetrics? Evaluation,
    IReadOnlyDictionary<string, Baseline> Baselines,
    IReadOnlyList<ValueRange> GoodRanges,
    IReadOnlyList<double> Means,
    IReadOnlyList<double> Deviations,
    IReadOnlyList<double>? AnomalyReference)
{
    /// <summary>
    /// Permutation importance of each feature on the evaluation window, most important first; null for a
    /// model trained before it was measured, or when the evaluation window lacked either kind of label.
    /// </summary>
    public IReadOnlyList<FeatureImportance>? Importance { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelManifest FromJson(string json) =>
        JsonSerializer.Deserialize<ModelManifest>(json, Json) ?? throw new JsonException("The model manifest is empty.");
}

public static class ModelKinds
{
    /// <summary>Boosted trees (ML.NET FastTree) learnt from labels, with calibrated probabilities.</summary>
    public const string Supervised = "gradient_boosted_trees";

    /// <summary>Randomized PCA on the features alone, for when labels are too few: the score is how unusual a sender is.</summary>
    public const string Anomaly = "anomaly_pca";
}
