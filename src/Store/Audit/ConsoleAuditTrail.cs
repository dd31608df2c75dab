using System.Globalization;

namespace RelayWatch.Store.Audit;

/// <summary>The <c>console_audit</c> table: every action taken through serve, append-only.</summary>
public static class ConsoleAuditTrail
{
    private const int MaxNoteLength = 1000;

    /// <summary>Appends one entry; an over-long note is cut (the action still happened and must be recorded).</summary>
    public static Task RecordAsync(IClickHouseStore store, AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(entry);
        return store.InsertRowAsync("console_audit", new Dictionary<string, object>
        {
            ["at"] = entry.At.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["actor"] = entry.Actor,
            ["role"] = entry.Role,
            ["action"] = entry.Action,
            ["subject"] = entry.Subject,
            ["note"] = entry.Note.Length > MaxNoteLength ? entry.Note[..MaxNoteLength] : entry.Note,
            ["remote"] = entry.Remote,
        }, cancellationToken);
    }

    /// <summary>The newest entries first, optionally only those about one subject.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> LatestAsync(IClickHouseStore store, string? subject, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = await store.QueryListAsync(
            """
            SELECT at, actor, role, action, subject, note, remote
            FROM console_audit
            WHERE {any:UInt8} = 1 OR subject = {subject:String}
            ORDER BY at DESC
            LIMIT {limit:UInt32}
            """,
            new Dictionary<string, string>
            {
                ["any"] = subject is null ? "1" : "0",
                ["subject"] = subject ?? string.Empty,
                ["limit"] = Math.Clamp(limit, 1, 10_000).ToString(CultureInfo.InvariantCulture),
            },
            cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new AuditEntry(
            DateTime.Parse(r[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            r[1], r[2], r[3], r[4], r[5], r[6]))];
    }
}
