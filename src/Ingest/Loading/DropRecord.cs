using Microsoft.Extensions.Logging;
using RelayWatch.Ingest.Sources;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Keeps the log and <c>listener_drops</c> up to date with what a listener run dropped: when the
/// counts changed, at most once a second unless asked for now, each reason's increase is logged and
/// the run's counts are stored.
/// </summary>
internal sealed class DropRecord(string listener, string endpoints, ListenerDrops drops, CheckpointStore checkpoints, ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<ListenerDropReason, long> recorded = [];
    private DateTimeOffset last = DateTimeOffset.MinValue;
    private long version;

    /// <param name="due">Record now, however recently the last record was made.</param>
    public async Task RecordAsync(bool due)
    {
        var now = time.GetUtcNow();
        if (!due && now - last < Interval)
        {
            return;
        }

        last = now;
        var counts = drops.Snapshot();
        var changed = counts.Where(c => recorded.GetValueOrDefault(c.Reason) != c.Count).ToList();
        if (changed.Count == 0)
        {
            return;
        }

        foreach (var (reason, count) in changed)
        {
            Log.ListenerDropped(logger, ListenerDrops.NameOf(reason), count - recorded.GetValueOrDefault(reason), count);
            recorded[reason] = count;
        }

        await checkpoints.WriteListenerDropsAsync(listener, endpoints, [.. counts.Select(c => (ListenerDrops.NameOf(c.Reason), c.Count))], ++version, CancellationToken.None).ConfigureAwait(false);
    }
}
