using System.Text.Json;
using RelayWatch.Analysis.Detection;

namespace RelayWatch.Analysis.Evaluation;

/// <summary>How one detector's findings compare with the simulation's truth, at the level of subjects (IPs and networks).</summary>
/// <param name="Detector">The detector, which is also the truth kind it is measured against.</param>
/// <param name="Expected">Truth subjects of that kind.</param>
/// <param name="Found">Distinct subjects the detector blamed.</param>
/// <param name="FalsePositives">Subjects blamed that no truth record of that kind covers.</param>
/// <param name="Missed">Truth subjects that no finding names or covers.</param>
/// <param name="OnTypoSenders">Blamed subjects that are legitimate senders who mistyped an address.</param>
public sealed record DetectorScore(
    string Detector, IReadOnlyList<string> Expected, IReadOnlyList<string> Found,
    IReadOnlyList<string> FalsePositives, IReadOnlyList<string> Missed, IReadOnlyList<string> OnTypoSenders)
{
    /// <summary>Share of blamed subjects that are right; 1 when nothing was blamed.</summary>
    public double Precision => Found.Count == 0 ? 1 : (Found.Count - FalsePositives.Count) / (double)Found.Count;

    /// <summary>Share of truth subjects found; 1 when there were none.</summary>
    public double Recall => Expected.Count == 0 ? 1 : (Expected.Count - Missed.Count) / (double)Expected.Count;
}

/// <summary>
/// Measures findings against a simulation's <c>truth.jsonl</c> (one JSON object per actor:
/// <c>kind</c>, <c>subjects</c>, <c>detail</c>). A finding is right when its subject equals, lies in or
/// contains a truth subject of its detector's kind; a truth subject is found when a finding names
/// it or a network containing it.
/// </summary>
public static class TruthEvaluation
{
    /// <summary>Truth kinds that are attacks without a detector of their own (the IP scores rank them).</summary>
    private static readonly string[] KindsWithoutDetector = ["spam_botnet"];

    public static IReadOnlyList<DetectorScore> Evaluate(IEnumerable<string> truthLines, IReadOnlyList<Finding> findings, IReadOnlyList<string> detectors)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(findings);
        var truth = truthLines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(Parse).ToList();
        var typoSenders = truth.Where(t => t.Kind == "legitimate" && t.Mistyped > 0).SelectMany(t => t.Subjects).ToList();
        var scores = new List<DetectorScore>();
        foreach (var detector in detectors)
        {
            var expected = truth.Where(t => t.Kind == detector).SelectMany(t => t.Subjects).Distinct(StringComparer.Ordinal).ToList();
            var found = findings.Where(f => f.Detector == detector).Select(f => f.Subject).Distinct(StringComparer.Ordinal).ToList();
            scores.Add(new DetectorScore(
                detector,
                expected,
                found,
                [.. found.Where(f => !expected.Any(e => Overlap(f, e)))],
                [.. expected.Where(e => !found.Any(f => Covers(f, e)))],
                [.. found.Where(f => typoSenders.Any(t => Overlap(f, t)))]));
        }

        return scores;
    }

    /// <summary>Whether <paramref name="finding"/> names <paramref name="truth"/> or a network containing it.</summary>
    internal static bool Covers(string finding, string truth)
    {
        var (f, t) = (Subjects.ParseNetwork(finding), Subjects.ParseNetwork(truth));
        return f is not null && t is not null && f.Value.PrefixLength <= t.Value.PrefixLength && f.Value.Contains(t.Value.BaseAddress);
    }

    internal static bool Overlap(string a, string b) => Covers(a, b) || Covers(b, a);

    private static (string Kind, IReadOnlyList<string> Subjects, long Mistyped) Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var kind = root.GetProperty("kind").GetString() ?? string.Empty;
        var subjects = root.GetProperty("subjects").EnumerateArray().Select(s => s.GetString() ?? string.Empty).ToList();
        var mistyped = root.TryGetProperty("detail", out var detail) && detail.TryGetProperty("mistyped_recipients", out var m) && m.ValueKind == JsonValueKind.Number
            ? m.GetInt64() : 0;
        return (KindsWithoutDetector.Contains(kind) ? "other_attack" : kind, subjects, mistyped);
    }
}
