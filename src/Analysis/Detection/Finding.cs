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
}
