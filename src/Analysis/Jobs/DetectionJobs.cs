using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Logging;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Jobs;

/// <summary>The estate and detector settings the scheduled jobs run with.</summary>
/// <param name="Context">The network context files of the configuration, reloaded by a detection run when they changed.</param>
public sealed record DetectionSettings(EstateSettings Estate, DetectorSettings Detectors, NetworkContextFiles? Context = null);

/// <summary>
/// Detection as Hangfire jobs: every hour over the day so far (findings of today are replaced each
/// time, so they firm up as the day goes on), and a daily close over yesterday once its last logs are
/// in. A failed run is retried; two runs never overlap, whichever job started them.
/// </summary>
public sealed class DetectionJobs(IClickHouseStore store, DetectionSettings settings, JobStorage jobs, TimeProvider time, ILogger<DetectionJobs> logger)
{
    private const string LockResource = "relaywatch:detection";
    public const string HourlyJobId = "detect-hourly";
    public const string DailyCloseJobId = "detect-daily-close";

    /// <summary>At five past every hour.</summary>
    public const string HourlyCron = "5 * * * *";

    /// <summary>At 00:30 UTC, when yesterday's late log lines have arrived.</summary>
    public const string DailyCloseCron = "30 0 * * *";

    [AutomaticRetry(Attempts = 3)]
    public Task<string> DetectTodayAsync(CancellationToken cancellationToken) =>
        DetectAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);

    [AutomaticRetry(Attempts = 3)]
    public Task<string> CloseYesterdayAsync(CancellationToken cancellationToken) =>
        DetectAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1), cancellationToken);

    /// <param name="day">YYYY-MM-DD (Hangfire stores job arguments as text).</param>
    [AutomaticRetry(Attempts = 3)]
    public Task<string> DetectDayAsync(string day, CancellationToken cancellationToken) =>
        DetectAsync(DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture), cancellationToken);

    /// <returns>A one-line summary, which Hangfire keeps as the job's result.</returns>
    private async Task<string> DetectAsync(DateOnly day, CancellationToken cancellationToken)
    {
        // One run at a time across jobs and servers: two runs over the same day would each delete
        // what the other wrote and leave duplicates.
        using var connection = jobs.GetConnection();
        using var lease = connection.AcquireDistributedLock(LockResource, TimeSpan.FromHours(1));
        // New MaxMind databases (twice a week) or an edited CSV are picked up by the next run, so findings say who is behind an address as of now.
        var context = settings.Context is { Any: true } files
            ? await new NetworkContextReloader(store, time).ReloadIfChangedAsync(files, cancellationToken).ConfigureAwait(false)
            : null;
        var contextNote = context?.Outcome switch
        {
            NetworkContextReloadOutcome.Reloaded => string.Create(CultureInfo.InvariantCulture, $"network context reloaded ({context.Networks} networks); "),
            NetworkContextReloadOutcome.Refused => $"network context kept: {context.Message} ",
            _ => string.Empty,
        };
        if (context?.Outcome == NetworkContextReloadOutcome.Refused)
        {
            Log.NetworkContextKept(logger, context.Message ?? string.Empty);
        }

        var runner = new DetectionRunner(store, settings.Estate, DetectorCatalog.Create(settings.Detectors), logger);
        var runs = await runner.RunAsync(day, day, null, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture,
            $"{contextNote}{day:yyyy-MM-dd}: {string.Join(", ", runs.Select(r => $"{r.Detector} {r.Findings}"))} in {runs.Sum(r => r.Elapsed.TotalSeconds):F1} s");
    }
}
