using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>Changes an analyst makes by hand: list, remove, allow, unallow. Each is checked, recorded with who and when, and explained when refused.</summary>
public sealed class BlocklistAnalyst(IClickHouseStore store, BlocklistSettings settings, EstateSettings estate, TimeProvider clock, string who)
{
    /// <exception cref="ArgumentException">The subject is malformed or must never be listed; the message says why.</exception>
    public async Task<BlocklistEntry> ListAsync(string subject, int days, string? reason, CancellationToken cancellationToken)
    {
        var canonical = Canonical(subject);
        if (days is < 1 or > 3650)
        {
            throw new ArgumentException($"{days} days is not a time to list for; give 1 to 3650.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var current = await BlocklistState.CurrentAsync(store, cancellationToken).ConfigureAwait(false);
        var ours = await EstateResolver.ResolveAsync(store, estate, DateOnly.FromDateTime(now), cancellationToken).ConfigureAwait(false);
        var guard = new BlocklistGuard(settings, ours.InternalNetworks, ours.RelayAddresses, current.Where(e => e.Action == BlocklistActions.Allowed && e.Subject != canonical).Select(e => e.Subject));
        if (guard.WhyNot(canonical) is { } why)
        {
            throw new ArgumentException(why);
        }

        if (current.FirstOrDefault(e => e.Subject == canonical) is { Action: BlocklistActions.Allowed } allowed)
        {
            throw new ArgumentException($"{canonical} is allowed by {allowed.ChangedBy}; relaywatch blocklist unallow it first.");
        }

        return await RecordAsync(new BlocklistEntry(canonical, BlocklistActions.Listed, reason ?? "listed by hand", ["analyst"], "analyst", now, now.AddDays(days), who, now), cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="ArgumentException">The subject is malformed or not listed.</exception>
    public Task<BlocklistEntry> RemoveAsync(string subject, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(subject, BlocklistActions.Removed, reason ?? "removed by hand", e => e.Action is BlocklistActions.Listed or BlocklistActions.Review, "is not listed or held for review", cancellationToken);

    /// <summary>Never list the subject again, whatever the findings say (it also drops out of the next export).</summary>
    public Task<BlocklistEntry> AllowAsync(string subject, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(subject, BlocklistActions.Allowed, reason ?? "allowed by hand", _ => true, string.Empty, cancellationToken);

    public Task<BlocklistEntry> UnallowAsync(string subject, CancellationToken cancellationToken) =>
        ChangeAsync(subject, BlocklistActions.Unallowed, "allow withdrawn", e => e.Action == BlocklistActions.Allowed, "is not allowed", cancellationToken);

    private async Task<BlocklistEntry> ChangeAsync(string subject, string action, string reason, Func<BlocklistEntry, bool> applies, string otherwise, CancellationToken cancellationToken)
    {
        var canonical = Canonical(subject);
        var now = clock.GetUtcNow().UtcDateTime;
        var state = (await BlocklistState.CurrentAsync(store, cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Subject == canonical);
        if (action != BlocklistActions.Allowed && (state is null || !applies(state)))
        {
            throw new ArgumentException($"{canonical} {otherwise}.");
        }

        return await RecordAsync(new BlocklistEntry(canonical, action, reason, ["analyst"], state?.Severity ?? "analyst", state?.ListedAt ?? now, now, who, now), cancellationToken).ConfigureAwait(false);
    }

    private async Task<BlocklistEntry> RecordAsync(BlocklistEntry entry, CancellationToken cancellationToken)
    {
        await BlocklistState.AppendAsync(store, [entry], cancellationToken).ConfigureAwait(false);
        return entry;
    }

    private static string Canonical(string subject) =>
        Subjects.Canonical(subject) ?? throw new ArgumentException($"'{subject}' is neither an IP address nor a network in CIDR notation (such as 192.0.2.0/24).");
}
