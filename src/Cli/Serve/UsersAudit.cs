using System.Globalization;
using RelayWatch.Store;
using RelayWatch.Store.Audit;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// Copies the user and token changes the command line recorded in the users file into the audit trail
/// (<c>console_audit</c>). The command line cannot write the store itself while serve holds the embedded engine,
/// so serve does it when it starts and whenever it re-reads a changed users file. Each change is copied once:
/// those already in the trail (same time, actor, action and subject) are passed over.
/// </summary>
internal static class UsersAudit
{
    /// <summary>Where the trail says a change came from.</summary>
    public const string Remote = "command line";

    public static async Task<int> SyncAsync(IClickHouseStore store, UsersFile file, CancellationToken cancellationToken)
    {
        var changes = file.Changes ?? [];
        if (changes.Count == 0)
        {
            return 0;
        }

        var since = changes.Min(c => c.At);
        var present = (await store.QueryListAsync(
            """
            SELECT toString(at), actor, action, subject FROM console_audit
            WHERE remote = {remote:String} AND at >= toDateTime64({since:String}, 3, 'UTC')
            """,
            new Dictionary<string, string> { ["remote"] = Remote, ["since"] = Stamp(since) },
            cancellationToken).ConfigureAwait(false)).Select(r => string.Join('\n', r)).ToHashSet(StringComparer.Ordinal);
        var copied = 0;
        foreach (var change in changes.OrderBy(c => c.At))
        {
            if (present.Add(string.Join('\n', Stamp(change.At), change.By, change.Action, change.Subject)))
            {
                await ConsoleAuditTrail.RecordAsync(store, new AuditEntry(change.At, change.By, string.Empty, change.Action, change.Subject, change.Note, Remote), cancellationToken).ConfigureAwait(false);
                copied++;
            }
        }

        return copied;
    }

    /// <summary>The engine's text of a DateTime64(3) value, which the trail is compared by.</summary>
    private static string Stamp(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
