using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>Writes the published list in one format, atomically: a temporary file beside the target, then a rename, so a relay never reads half a list and a failed export leaves the previous file in place.</summary>
public static class BlocklistExport
{
    /// <param name="entries">What is published (<see cref="PublishedAsync"/>), read once for any number of formats.</param>
    public static async Task WriteAsync(BlocklistFormat format, IReadOnlyList<BlocklistEntry> entries, string path, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(format);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, format.Encode(format.Render(entries, now)), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// The published list in a format, stamped with the time of its newest change rather than the time of
    /// asking, so the same list always reads the same and its hash can serve as an HTTP ETag.
    /// </summary>
    public static async Task<string> RenderAsync(
        IClickHouseStore store, BlocklistSettings settings, EstateSettings estate, BlocklistFormat format, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(format);
        var entries = await PublishedAsync(store, settings, estate, now, cancellationToken).ConfigureAwait(false);
        return format.Render(entries, entries.Count == 0 ? DateTime.UnixEpoch : entries.Max(e => e.ChangedAt));
    }

    /// <summary>What is published at <paramref name="now"/>, through the guard as it stands now.</summary>
    public static async Task<IReadOnlyList<BlocklistEntry>> PublishedAsync(
        IClickHouseStore store, BlocklistSettings settings, EstateSettings estate, DateTime now, CancellationToken cancellationToken)
    {
        var current = await BlocklistState.CurrentAsync(store, cancellationToken).ConfigureAwait(false);
        var ours = await EstateResolver.ResolveAsync(store, estate, DateOnly.FromDateTime(now), cancellationToken).ConfigureAwait(false);
        var guard = new BlocklistGuard(settings, ours.InternalNetworks, ours.RelayAddresses, current.Where(e => e.Action == BlocklistActions.Allowed).Select(e => e.Subject));
        return BlocklistFormats.Published(current, guard, now);
    }
}
