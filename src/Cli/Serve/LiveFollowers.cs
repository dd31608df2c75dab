using System.Globalization;
using Microsoft.Extensions.Logging;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>The log files serve follows (<c>serve --follow PATH</c>, or <c>serve.follow</c>) and how their lines are read.</summary>
internal sealed record FollowSetup(IReadOnlyList<string> Paths, IngestOptions Ingest);

/// <summary>
/// serve's followed files: <c>ingest --follow</c> for each, inside the serve process, which owns the embedded store,
/// so that files the relays write (the exactly-once way, docs/operations.md) are read without stopping serve. Each
/// file has its own <see cref="IngestRunner.FollowAsync"/>, surviving rotation and truncation as that does, and its
/// health is the ingest page's like any file's (its checkpoints). Stopping commits what each has read.
/// </summary>
internal sealed class LiveFollowers(IClickHouseStore store, FollowSetup? setup, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    /// <summary>As <c>ingest --follow</c>: how often a file is checked for new lines, and the quiet after which a partial batch is committed.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan QuietFlush = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stopping = new();
    private readonly List<(string Path, Task<IReadOnlyList<FileSummary>> Run)> runs = [];

    public IReadOnlyList<string> Paths => setup?.Paths ?? [];

    /// <summary>Each followed file and whether its follower runs ("following", "failed: why" or "stopped").</summary>
    public IReadOnlyList<(string Path, string State)> States => [.. runs.Select(r => (r.Path,
        r.Run.IsFaulted ? "failed: " + r.Run.Exception!.GetBaseException().Message
        : r.Run.IsCompleted ? "stopped"
        : "following"))];

    public void Start()
    {
        foreach (var path in Paths)
        {
            var runner = new IngestRunner(store, setup!.Ingest, time, logger);
            var run = Task.Run(() => runner.FollowAsync(path, PollInterval, QuietFlush, stopping.Token), CancellationToken.None);
            _ = run.ContinueWith(
                done => Log.LiveFollowFailed(logger, path, done.Exception!.GetBaseException().Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            runs.Add((path, run));
        }
    }

    /// <summary>Stops following and commits what was read; one line per file for the console's log.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        var lines = new List<string>();
        foreach (var (path, run) in runs)
        {
            try
            {
                var summaries = await run.ConfigureAwait(false);
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Stopped following {path}: {summaries.Sum(s => s.Counts.Lines):N0} lines read, {summaries.Sum(s => s.Counts.Events):N0} with events."));
            }
#pragma warning disable CA1031 // The failure was logged when it happened; stopping goes on with the other files.
            catch (Exception) when (run.IsFaulted)
#pragma warning restore CA1031
            {
                lines.Add($"Stopped following {path}: it had failed.");
            }
        }

        runs.Clear();
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (runs.Count > 0)
        {
            await StopAsync().ConfigureAwait(false);
        }

        stopping.Dispose();
    }
}
