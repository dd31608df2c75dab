using System.Globalization;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>The <c>blocklist_changes</c> table: append every change, read the latest per subject or a subject's history.</summary>
public static class BlocklistState
{
    private static readonly string[] Columns = ["subject", "action", "reason", "sources", "severity", "listed_at", "expires_at", "changed_by", "changed_at"];

    private const string Select = "subject, action, reason, toJSONString(sources), severity, listed_at, expires_at, changed_by, changed_at";

    public static Task AppendAsync(IClickHouseStore store, IReadOnlyList<BlocklistEntry> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        return store.InsertAsync(new BulkInsert("blocklist_changes", Columns), async (stream, token) =>
        {
            var rows = new RowBinaryWriter();
            foreach (var change in changes)
            {
                rows.WriteString(change.Subject);
                rows.WriteString(change.Action);
                rows.WriteString(change.Reason);
                rows.WriteStringArray(change.Sources);
                rows.WriteString(change.Severity);
                rows.WriteDateTime64Millis(new DateTimeOffset(change.ListedAt, TimeSpan.Zero));
                rows.WriteDateTime64Millis(new DateTimeOffset(change.ExpiresAt, TimeSpan.Zero));
                rows.WriteString(change.ChangedBy);
                rows.WriteDateTime64Millis(new DateTimeOffset(change.ChangedAt, TimeSpan.Zero));
            }

            await stream.WriteAsync(rows.WrittenMemory, token).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Every subject's latest change, by subject.</summary>
    public static async Task<IReadOnlyList<BlocklistEntry>> CurrentAsync(IClickHouseStore store, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync(
            """
            SELECT subject, argMax(action, changed_at), argMax(reason, changed_at), toJSONString(argMax(sources, changed_at)),
                   argMax(severity, changed_at), argMax(listed_at, changed_at), argMax(expires_at, changed_at),
                   argMax(changed_by, changed_at), max(changed_at)
            FROM blocklist_changes
            GROUP BY subject
            ORDER BY subject
            """,
            null, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Parse)];
    }

    /// <summary>All changes of one subject, oldest first.</summary>
    public static async Task<IReadOnlyList<BlocklistEntry>> HistoryAsync(IClickHouseStore store, string subject, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync(
            $"SELECT {Select} FROM blocklist_changes WHERE subject = {{subject:String}} ORDER BY changed_at, action",
            new Dictionary<string, string> { ["subject"] = subject }, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Parse)];
    }

    /// <summary>How often each subject was listed (a <c>listed</c> change that was not a renewal) since <paramref name="since"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> ListingsSinceAsync(IClickHouseStore store, DateTime since, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync(
            "SELECT subject, uniqExactIf(listed_at, action = 'listed') FROM blocklist_changes WHERE changed_at >= {since:DateTime64(3)} GROUP BY subject",
            new Dictionary<string, string> { ["since"] = since.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) },
            cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r[0], r => int.Parse(r[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    private static BlocklistEntry Parse(string[] r) => new(
        r[0], r[1], r[2], System.Text.Json.JsonSerializer.Deserialize<string[]>(r[3]) ?? [], r[4], Time(r[5]), Time(r[6]), r[7], Time(r[8]));

    private static DateTime Time(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
