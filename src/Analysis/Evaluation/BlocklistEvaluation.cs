using System.Text.Json;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Detection;

namespace RelayWatch.Analysis.Evaluation;

/// <summary>
/// The published blocklist against a simulation's truth: a listed subject that is, contains or lies in
/// an innocent sender — a legitimate one, or a server the truth marks innocent (a backscatter bouncer) — is
/// the outage a blocklist must never cause; a subject the day's findings name
/// that no published entry covers is a miss (unless held for review or refused by the guard, which are
/// counted apart).
/// </summary>
/// <param name="Published">Entries published.</param>
/// <param name="LegitimateListed">Published subjects overlapping an innocent sender of the truth (legitimate, or marked <c>detail.innocent</c>).</param>
/// <param name="Found">Subjects the day's findings name (of the detectors the blocklist takes).</param>
/// <param name="NotPublished">Of those, the ones no published entry covers.</param>
public sealed record BlocklistEvaluation(int Published, IReadOnlyList<string> LegitimateListed, IReadOnlyList<string> Found, IReadOnlyList<string> NotPublished)
{
    public static BlocklistEvaluation Evaluate(
        IEnumerable<string> truthLines, IReadOnlyList<BlocklistEntry> published, IReadOnlyList<Finding> findings, BlocklistSettings settings)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(settings);
        var legitimate = truthLines.Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(t => t.GetProperty("kind").GetString() is "legitimate" or "bouncer"
                || (t.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("innocent", out var innocent) && innocent.ValueKind == JsonValueKind.True))
            .SelectMany(t => t.GetProperty("subjects").EnumerateArray().Select(s => s.GetString() ?? string.Empty))
            .ToHashSet(StringComparer.Ordinal);
        var listed = published.Select(p => p.Subject).ToList();
        var found = findings.Where(f => settings.Detectors.Contains(f.Detector)).Select(f => f.Subject).Distinct(StringComparer.Ordinal).ToList();
        return new BlocklistEvaluation(
            published.Count,
            [.. listed.Where(p => legitimate.Any(l => TruthEvaluation.Overlap(p, l)))],
            found,
            [.. found.Where(f => !listed.Any(p => TruthEvaluation.Covers(p, f)))]);
    }
}
