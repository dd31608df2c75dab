using RelayWatch.Analysis.Blocklists;
using RelayWatch.Reports.Content;
using RelayWatch.Store;

namespace RelayWatch.Reports.Sections;

/// <summary>Reads the blocklist's changes of the 24 hours before the report and its state; none when there has never been a blocklist.</summary>
internal static class BlocklistReader
{
    public static async Task<BlocklistSection?> ReadAsync(ReportContext context, BlocklistLookup lookup, CancellationToken cancellationToken)
    {
        if (lookup.Entries.Count == 0)
        {
            return null;
        }

        var to = context.Now;
        var from = to.AddDays(-1);
        var rows = await context.Store.QueryListAsync(
            """
            SELECT subject, action, severity, reason, changed_at, expires_at, changed_by, listed_at = changed_at
            FROM blocklist_changes
            WHERE changed_at > {from:DateTime64(3, 'UTC')} AND changed_at <= {to:DateTime64(3, 'UTC')}
            ORDER BY changed_at, subject
            """,
            new Dictionary<string, string>
            {
                ["from"] = from.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture),
                ["to"] = to.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture),
            },
            cancellationToken).ConfigureAwait(false);
        var changes = rows.Select(r => new BlocklistSection.Change(
            r[0],
            r[1] == BlocklistActions.Listed ? (r[7] == "1" ? "added" : "renewed") : r[1],
            r[2],
            Values.Shown(r[3], 300),
            Values.Time(r[4]),
            r[1] == BlocklistActions.Listed ? Values.Time(r[5]) : null,
            Values.Shown(r[6], 64))).ToList();
        var now = to.UtcDateTime;
        return new BlocklistSection(
            from, to, changes,
            lookup.Entries.Count(e => e.IsListedAt(now)),
            lookup.Entries.Count(e => e.Action == BlocklistActions.Review));
    }
}
