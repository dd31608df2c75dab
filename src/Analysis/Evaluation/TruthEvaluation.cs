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
/// How one shape of the truth fared: an attack shape (<c>dha</c>/<c>very_slow</c>, <c>snowshoe</c>/<c>snowshoe</c>, …)
/// by how many of its subjects the detector of its kind found; an innocent one (a kind of legitimate
/// sender, a backscatter wave's bouncing servers) by which of its subjects any detector named.
/// </summary>
/// <param name="Kind">The truth kind: the attack's, or <c>legitimate</c> / <c>bouncer</c>.</param>
/// <param name="Shape"><c>detail.shape</c>, or for legitimate senders <c>detail.sender</c>; the kind when neither.</param>
/// <param name="Detector">The detector that should find an attack shape; null when no detector covers it, or for an innocent shape.</param>
/// <param name="Subjects">The shape's distinct subjects.</param>
/// <param name="Missed">Attack subjects no finding of <paramref name="Detector"/> names or covers (all of them when no detector covers the shape).</param>
/// <param name="Named">Innocent subjects a finding named: (subject, detector, finding subject).</param>
public sealed record ShapeScore(
    string Kind, string Shape, bool Innocent, string? Detector, IReadOnlyList<string> Subjects,
    IReadOnlyList<string> Missed, IReadOnlyList<(string Subject, string Detector, string Finding)> Named)
{
    /// <summary>Share of an attack shape's subjects found; 0 when no detector covers it.</summary>
    public double Recall => Subjects.Count == 0 ? 1 : (Subjects.Count - Missed.Count) / (double)Subjects.Count;
}

/// <summary>
/// Measures findings against a simulation's <c>truth.jsonl</c> (one JSON object per actor:
/// <c>kind</c>, <c>subjects</c>, <c>detail</c>). A finding is right when its subject equals, lies in or
/// contains a truth subject of its detector's kind; a truth subject is found when a finding names
/// it or a network containing it. Subjects that are not addresses (a backscatter wave's targeted
/// domain, a compromised login) match when they are equal. A campaign detector's finding (<c>snowshoe</c>),
/// and a dha finding that blames an autonomous system (rule <c>as_campaign</c>), also finds — and names — every
/// address its evidence lists under <c>members</c>.
/// </summary>
public static class TruthEvaluation
{
    /// <summary>Truth kinds that are attacks without a detector of their own (the IP scores rank them).</summary>
    private static readonly string[] KindsWithoutDetector = ["spam_botnet"];

    /// <summary>Truth kinds whose subjects nobody should blame.</summary>
    private static readonly string[] InnocentKinds = ["legitimate", "bouncer"];

    /// <summary>Truth kinds that are about the estate, not a sender: nothing to find or to blame.</summary>
    private static readonly string[] EstateKinds = ["mx_failover"];

    /// <summary>Detectors whose findings name a campaign and list its addresses under <c>members</c>.</summary>
    private static readonly string[] CampaignDetectors = [DetectorNames.Snowshoe];

    public static IReadOnlyList<DetectorScore> Evaluate(IEnumerable<string> truthLines, IReadOnlyList<Finding> findings, IReadOnlyList<string> detectors)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(detectors);
        var truth = truthLines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(Parse).ToList();
        var typoSenders = truth.Where(t => t.Kind == "legitimate" && t.Mistyped > 0).SelectMany(t => t.Subjects).ToList();
        var scores = new List<DetectorScore>();
        foreach (var detector in detectors)
        {
            var expected = truth.Where(t => t.Kind == detector).SelectMany(t => t.Subjects).Distinct(StringComparer.Ordinal).ToList();
            var blaming = findings.Where(f => f.Detector == detector).ToList();
            var found = blaming.Select(f => f.Subject).Distinct(StringComparer.Ordinal).ToList();
            var wrong = blaming.Where(f => !expected.Any(e => Overlap(f.Subject, e)) && !Members(f).Any(m => expected.Any(e => Overlap(m, e))))
                .Select(f => f.Subject).Distinct(StringComparer.Ordinal).ToList();
            scores.Add(new DetectorScore(
                detector,
                expected,
                found,
                wrong,
                [.. expected.Where(e => !blaming.Any(f => Finds(f, e)))],
                [.. found.Where(f => typoSenders.Any(t => Overlap(f, t)))]));
        }

        return scores;
    }

    /// <summary>
    /// Every shape of the truth, attacks first: for an attack shape, what the detector of its kind
    /// missed (everything, when <paramref name="detectors"/> has none for it); for an innocent one,
    /// which of its subjects any finding named.
    /// </summary>
    public static IReadOnlyList<ShapeScore> EvaluateShapes(IEnumerable<string> truthLines, IReadOnlyList<Finding> findings, IReadOnlyList<string> detectors)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(detectors);
        var truth = truthLines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(Parse).Where(t => !EstateKinds.Contains(t.Kind)).ToList();
        var scores = new List<ShapeScore>();
        foreach (var group in truth.GroupBy(t => (t.Kind, t.Shape)).OrderBy(g => InnocentKinds.Contains(g.Key.Kind)).ThenBy(g => g.Key.Kind, StringComparer.Ordinal).ThenBy(g => g.Key.Shape, StringComparer.Ordinal))
        {
            var subjects = group.SelectMany(t => t.Subjects).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (InnocentKinds.Contains(group.Key.Kind))
            {
                var named = subjects.SelectMany(s => findings.Where(f => Overlap(f.Subject, s) || (f.BlamesAnAs && Members(f).Any(m => Overlap(m, s)))).Select(f => (s, f.Detector, f.Subject)))
                    .Distinct().ToList();
                scores.Add(new ShapeScore(group.Key.Kind, group.Key.Shape, true, null, subjects, [], named));
                continue;
            }

            var detector = detectors.Contains(group.Key.Kind) ? group.Key.Kind : null;
            var blaming = findings.Where(f => f.Detector == detector).ToList();
            scores.Add(new ShapeScore(group.Key.Kind, group.Key.Shape, false, detector, subjects, [.. subjects.Where(s => !blaming.Any(f => Finds(f, s)))], []));
        }

        return scores;
    }

    /// <summary>Whether <paramref name="finding"/> finds the truth subject: names it, a network containing it, or (a campaign detector) lists it as a member.</summary>
    private static bool Finds(Finding finding, string truth) =>
        Covers(finding.Subject, truth) || Members(finding).Any(m => Covers(m, truth));

    /// <summary>The addresses a campaign detector's finding (or an AS-wide one's) lists under <c>members</c>; none for other detectors.</summary>
    private static IReadOnlyList<string> Members(Finding finding) =>
        CampaignDetectors.Contains(finding.Detector) || finding.BlamesAnAs ? finding.Members() : [];

    /// <summary>
    /// Whether <paramref name="finding"/> names <paramref name="truth"/> or a network containing it; subjects that are
    /// not addresses (a domain, a login) when they are equal, or when the finding is the truth's login with its Windows
    /// domain before it (Exchange names the account <c>jdoe</c> logs in as <c>OURS\jdoe</c>).
    /// </summary>
    internal static bool Covers(string finding, string truth)
    {
        var (f, t) = (Subjects.ParseNetwork(finding), Subjects.ParseNetwork(truth));
        return f is null || t is null
            ? f is null && t is null && (string.Equals(finding, truth, StringComparison.OrdinalIgnoreCase)
                || (truth.Length > 0 && finding.Length > truth.Length + 1 && finding[^(truth.Length + 1)] == '\\' && finding.EndsWith(truth, StringComparison.OrdinalIgnoreCase) && !truth.Contains('\\', StringComparison.Ordinal)))
            : f.Value.PrefixLength <= t.Value.PrefixLength && f.Value.Contains(t.Value.BaseAddress);
    }

    internal static bool Overlap(string a, string b) => Covers(a, b) || Covers(b, a);

    private static (string Kind, string Shape, IReadOnlyList<string> Subjects, long Mistyped) Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var kind = root.GetProperty("kind").GetString() ?? string.Empty;
        var subjects = root.GetProperty("subjects").EnumerateArray().Select(s => s.GetString() ?? string.Empty).ToList();
        var hasDetail = root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object;
        var mistyped = hasDetail && detail.TryGetProperty("mistyped_recipients", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
        var shape = hasDetail && detail.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()!
            : hasDetail && detail.TryGetProperty("sender", out var sender) && sender.ValueKind == JsonValueKind.String ? sender.GetString()!
            : kind;
        return (KindsWithoutDetector.Contains(kind) ? "other_attack" : kind, KindsWithoutDetector.Contains(kind) ? kind : shape, subjects, mistyped);
    }
}
