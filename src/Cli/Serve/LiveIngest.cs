using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RelayWatch.Cli.Commands;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// serve's own syslog listener (<c>serve --listen</c>): the listen command's <see cref="IngestRunner.ListenAsync"/>
/// inside the serve process, which owns the embedded store, so relays send syslog to the service the analysts
/// use. It starts before the web host (an endpoint that cannot be bound stops serve with one sentence) and
/// stops first, committing every line it accepted. Its progress is read where the run records it: committed
/// batches in <c>ingest_checkpoints</c> and drops in <c>listener_drops</c>, sampled every few seconds for the rate.
/// Without a setup it is "not configured" and does nothing.
/// </summary>
internal sealed class LiveIngest : IAsyncDisposable
{
    /// <summary>How often the committed line count is sampled for the rate.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(5);

    /// <summary>The rate is measured over this much of the recent past.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly IClickHouseStore store;
    private readonly ListenSetup? setup;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<(DateTimeOffset At, long Lines)> samples = new();
    private readonly Lock sampling = new();
    private Task<FileSummary>? run;
    private Task? sampler;
    private FileSummary? summary;

    public LiveIngest(IClickHouseStore store, ListenSetup? setup, TimeProvider time, ILogger logger)
    {
        this.store = store;
        this.setup = setup;
        this.time = time;
        this.logger = logger;
    }

    public bool Configured => setup is not null;

    /// <summary>Where it listens, as the start-up line says it: "udp 127.0.0.1:5514 and tcp 127.0.0.1:5514".</summary>
    public string Endpoints { get; private set; } = string.Empty;

    /// <summary>
    /// The run's name, under which it records its batches (<c>ingest_checkpoints.path</c>) and drops
    /// (<c>listener_drops.endpoints</c>): "syslog udp://127.0.0.1:5514 tcp://127.0.0.1:5514", as <see cref="IngestRunner"/> names a listener run.
    /// </summary>
    public string Name { get; private set; } = string.Empty;

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Why the listener stopped on its own, or null.</summary>
    public string? Failure => run is { IsFaulted: true } failed ? failed.Exception!.GetBaseException().Message : null;

    public string State => setup is null ? "not configured"
        : run is null ? "starting"
        : run.IsFaulted ? "failed"
        : run.IsCompleted ? "stopped"
        : started.Task.IsCompleted ? "listening"
        : "starting";

    /// <summary>Binds the listener's sockets and starts ingesting; returns once they listen.</summary>
    /// <exception cref="UsageException">An endpoint cannot be bound, or a TLS certificate cannot be used.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (setup is null)
        {
            return;
        }

        var runner = new IngestRunner(store, setup.Ingest, time, logger);
        StartedAt = time.GetUtcNow();
        run = Task.Run(
            () => runner.ListenAsync(setup.Listening, setup.Format, (udp, tcp, tls) =>
            {
                Endpoints = ListenArguments.Describe(udp, tcp, tls);
                Name = "syslog " + string.Join(' ', new[] { Url("udp", udp), Url("tcp", tcp), Url("tls", tls) }.OfType<string>());
                started.TrySetResult();
            }, stopping.Token),
            CancellationToken.None);
        await Task.WhenAny(started.Task, run).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!started.Task.IsCompleted)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new UsageException($"Cannot listen for syslog on {setup.Listening.Tls ?? setup.Listening.Tcp ?? setup.Listening.Udp}: {e.Message.TrimEnd('.')}.");
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            throw new UsageException("The syslog listener stopped before it listened.");
        }

        _ = run.ContinueWith(
            done => Log.LiveIngestFailed(logger, done.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        sampler = SampleAsync(stopping.Token);

        static string? Url(string scheme, IPEndPoint? endpoint) => endpoint is null ? null : $"{scheme}://{endpoint}";
    }

    /// <summary>Stops receiving and commits everything accepted; the run's summary, or null when none ran (or it failed).</summary>
    public async Task<FileSummary?> StopAsync()
    {
        if (run is null)
        {
            return null;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        if (sampler is not null)
        {
            await sampler.ConfigureAwait(false);
        }

        try
        {
            summary ??= await run.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The failure was logged when it happened and is shown by /healthz; stopping goes on.
        catch (Exception) when (run.IsFaulted)
#pragma warning restore CA1031
        {
            return null;
        }

        return summary;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    /// <summary>This run's committed lines and events, its drops by reason, and its rate over the last minute; null when not configured.</summary>
    public async Task<LiveIngestStatus?> ReadAsync(CancellationToken cancellationToken)
    {
        if (setup is null)
        {
            return null;
        }

        var since = StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var committed = Name.Length == 0 ? [] : await store.QueryListAsync(
            """
            SELECT argMax(line, version), argMax(events, version), argMax(unrecognised, version), toString(max(updated_at)), count()
            FROM ingest_checkpoints
            WHERE path = {name:String} AND state = 'committed' AND updated_at >= toDateTime64({since:String}, 3, 'UTC')
            """,
            new Dictionary<string, string> { ["name"] = Name, ["since"] = since }, cancellationToken).ConfigureAwait(false);
        var drops = Name.Length == 0 ? [] : await store.QueryListAsync(
            """
            SELECT reason, argMax(dropped, version)
            FROM listener_drops
            WHERE endpoints = {name:String} AND updated_at >= toDateTime64({since:String}, 3, 'UTC')
            GROUP BY reason
            ORDER BY reason
            """,
            new Dictionary<string, string> { ["name"] = Name, ["since"] = since }, cancellationToken).ConfigureAwait(false);
        var row = committed.FirstOrDefault();
        var any = row is not null && row[4] != "0";
        return new LiveIngestStatus(
            State,
            Endpoints,
            StartedAt,
            any ? long.Parse(row![0], CultureInfo.InvariantCulture) : 0,
            any ? long.Parse(row![1], CultureInfo.InvariantCulture) : 0,
            any ? long.Parse(row![2], CultureInfo.InvariantCulture) : 0,
            any ? DateTime.SpecifyKind(DateTime.Parse(row![3], CultureInfo.InvariantCulture), DateTimeKind.Utc) : null,
            LinesPerSecond(),
            [.. drops.Select(d => (d[0], long.Parse(d[1], CultureInfo.InvariantCulture)))],
            Failure);
    }

    /// <summary>Committed lines a second over the samples of the last minute; null until two samples span some time.</summary>
    private double? LinesPerSecond()
    {
        lock (sampling)
        {
            if (samples.Count < 2)
            {
                return null;
            }

            var (firstAt, firstLines) = samples.Peek();
            var (lastAt, lastLines) = samples.Last();
            var seconds = (lastAt - firstAt).TotalSeconds;
            return seconds > 0 ? (lastLines - firstLines) / seconds : null;
        }
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SampleInterval, time);
        try
        {
            do
            {
                try
                {
                    var status = await ReadAsync(cancellationToken).ConfigureAwait(false);
                    var now = time.GetUtcNow();
                    lock (sampling)
                    {
                        samples.Enqueue((now, status!.LinesStored));
                        while (samples.Count > 2 && now - samples.Peek().At > RateWindow)
                        {
                            samples.Dequeue();
                        }
                    }
                }
                catch (ClickHouseException e)
                {
                    // The store is busy or down: this sample is missing, and /healthz says why the store is unwell.
                    Log.LiveIngestSampleFailed(logger, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
