using System.Globalization;
using System.Text.Json;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Detection;

/// <summary>One row of <c>findings</c>.</summary>
public sealed record Finding(
    DateOnly Day, string Detector, string Subject, string Severity, double Score,
    DateTime FirstSeen, DateTime LastSeen, long Events, string Evidence)
{
    /// <summary>The findings of a day range, worst first within each detector.</summary>
    public static async Task<IReadOnlyList<Finding>> ReadAsync(IClickHouseStore store, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = await store.QueryListAsync(
            """
            SELECT day, detector, subject, severity, score, first_seen, last_seen, events, evidence
            FROM findings
            WHERE day BETWEEN {first:Date} AND {last:Date}
            ORDER BY day, detector, indexOf(['critical', 'high', 'medium', 'low'], severity), events DESC, subject
            """,
            new Dictionary<string, string>
            {
                ["first"] = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["last"] = last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
            cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new Finding(
            DateOnly.ParseExact(r[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), r[1], r[2], r[3],
            double.Parse(r[4], CultureInfo.InvariantCulture),
            DateTime.Parse(r[5], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            DateTime.Parse(r[6], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            long.Parse(r[7], CultureInfo.InvariantCulture), r[8]))];
    }

    /// <summary>The evidence, parsed; the caller disposes it.</summary>
    public JsonDocument ParseEvidence() => JsonDocument.Parse(Evidence);

    /// <summary>Whether it blames an autonomous system (<c>AS64506</c>, dha's <c>as_campaign</c>) rather than an address or a network.</summary>
    public bool BlamesAnAs => Subject.StartsWith("AS", StringComparison.Ordinal) && Subject.Length > 2 && Subject.AsSpan(2).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>The addresses its evidence lists under <c>members</c> (a campaign's); none when it lists none or cannot be read.</summary>
    public IReadOnlyList<string> Members()
    {
        try
        {
            using var evidence = ParseEvidence();
            return evidence.RootElement.ValueKind == JsonValueKind.Object && evidence.RootElement.TryGetProperty("members", out var members) && members.ValueKind == JsonValueKind.Array
                ? [.. members.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// What a blocklist may list for it: its subject, or, when it blames an autonomous system, each member address —
    /// an AS holds whole providers' customers, and is never listed whole.
    /// </summary>
    public IReadOnlyList<string> ListableSubjects() => BlamesAnAs ? Members() : [Subject];
}
