using System.Globalization;
using Hangfire;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Jobs;

/// <summary>The estate and blocklist settings the scheduled job runs with.</summary>
public sealed record BlocklistJobSettings(EstateSettings Estate, BlocklistSettings Blocklists);

/// <summary>
/// The blocklist as a Hangfire job: every hour, ten minutes after detection, list what yesterday's and
/// today's findings and scores name (yesterday's, for what the daily close added) and expire what ran
/// out. Relays poll serve's <c>/blocklists/FORMAT</c>, which always reflects the latest state.
/// </summary>
public sealed class BlocklistJobs(IClickHouseStore store, BlocklistJobSettings settings, JobStorage jobs, TimeProvider time)
{
    private const string LockResource = "relaywatch:blocklist";
    public const string HourlyJobId = "blocklist-hourly";

    /// <summary>At a quarter past every hour.</summary>
    public const string HourlyCron = "15 * * * *";

    [AutomaticRetry(Attempts = 3)]
    public async Task<string> UpdateAsync(CancellationToken cancellationToken)
    {
        using var connection = jobs.GetConnection();
        using var lease = connection.AcquireDistributedLock(LockResource, TimeSpan.FromMinutes(30));
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var updater = new BlocklistUpdater(store, settings.Blocklists, settings.Estate, time);
        var summaries = new List<string>();
        foreach (var day in new[] { today.AddDays(-1), today })
        {
            var update = await updater.UpdateAsync(day, cancellationToken).ConfigureAwait(false);
            summaries.Add(string.Create(CultureInfo.InvariantCulture,
                $"{day:yyyy-MM-dd}: {update.Listed.Count} listed, {update.Renewed.Count} renewed, {update.Review.Count} review, {update.Expired.Count} expired, {update.Refused.Count} refused"));
        }

        return string.Join("; ", summaries);
    }
}
