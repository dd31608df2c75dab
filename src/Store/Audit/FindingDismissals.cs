using System.Globalization;

namespace RelayWatch.Store.Audit;

/// <summary>
/// The <c>finding_dismissals</c> table, append-only: the latest row per finding is in force, so a dismissal
/// can be withdrawn (<see cref="Restored"/>) and both stay on record.
/// </summary>
public static class FindingDismissals
{
    public const string Dismissed = "dismissed";
    public const string Restored = "restored";

    /// <summary>Records a dismissal or its withdrawal.</summary>
    public static Task RecordAsync(IClickHouseStore store, DateOnly day, string detector, string subject, string action, string note, string by, DateTime at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (action is not (Dismissed or Restored))
        {
            throw new ArgumentException($"A dismissal's action is {Dismissed} or {Restored}, not '{action}'.", nameof(action));
        }

        return store.InsertRowAsync("finding_dismissals", new Dictionary<string, object>
        {
            ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["detector"] = detector,
            ["subject"] = subject,
            ["action"] = action,
            ["note"] = note,
            ["by"] = by,
            ["at"] = at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        }, cancellationToken);
    }

    /// <summary>The dismissals in force for findings of a day range.</summary>
    public static async Task<IReadOnlyList<FindingDismissal>> InForceAsync(IClickHouseStore store, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = await store.QueryListAsync(
            """
            SELECT day, detector, subject, argMax(action, at) AS action, argMax(note, at), argMax(by, at), max(at)
            FROM finding_dismissals
            WHERE day BETWEEN {first:Date} AND {last:Date}
            GROUP BY day, detector, subject
            HAVING action = 'dismissed'
            ORDER BY day, detector, subject
            """,
            new Dictionary<string, string>
            {
                ["first"] = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["last"] = last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
            cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new FindingDismissal(
            DateOnly.ParseExact(r[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), r[1], r[2], r[4], r[5],
            DateTime.Parse(r[6], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)))];
    }
}
