using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.States;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// Two <c>serve</c> processes sharing one job queue in a real PostgreSQL (Debian's package, started here)
/// over one ClickHouse server (the HTTP fixture): a job runs once whichever worker takes it, a recurring
/// job fires once per tick across both, and the job of a worker killed mid-run is finished by the other.
/// The jobs are plain .NET calls both processes can run (a file append, a sleep), so what ran, and how
/// often, is read from the files they leave rather than from the queue's own bookkeeping.
/// </summary>
public sealed class SharedJobQueueTests : IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private readonly List<Process> workers = [];
    private readonly ClickHouseHttpFixture clickHouse = new();
    private PostgreSqlServer? postgres;

    public async Task InitializeAsync()
    {
        await clickHouse.InitializeAsync();
        postgres = await PostgreSqlServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        // By id, so that a worker the test disposed (or left running when an assertion failed) is ended too.
        foreach (var worker in workers)
        {
            await RelayWatchProcess.StopAsync(worker);
        }

        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }

        await clickHouse.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task TwoServeProcessesShareOneQueueAndTakeOverAKilledWorkersJob()
    {
        var jobs = await postgres!.CreateDatabaseAsync("relaywatch_jobs");
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            store = new { clickHouse = clickHouse.ConnectionString(), database = "shared" },
            // A dead worker's job is taken up 15 s after it stopped renewing it, not 5 minutes.
            serve = new { jobStorage = jobs, jobInvisibilitySeconds = 15, workers = 2 },
        }));
        await StartWorkerAsync(config);
        await StartWorkerAsync(config);

        var storage = new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(jobs, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions());
        var client = new BackgroundJobClient(storage);
        var outputs = Directory.CreateDirectory(directory.Combine("out")).FullName;

        // A recurring job every minute, registered by hand: each tick appends one line.
        var ticks = Path.Combine(outputs, "ticks");
        new RecurringJobManager(storage).AddOrUpdate("tick-probe", () => File.AppendAllText(ticks, "tick\n"), Cron.Minutely());

        // A long job; whoever takes it is killed while it runs.
        var slow = client.Enqueue(() => Thread.Sleep(20_000));
        var owner = await WaitForProcessingServerAsync(storage, slow);
        var killed = workers.Single(w => owner.StartsWith(string.Create(CultureInfo.InvariantCulture, $"relaywatch-{Environment.MachineName}-{w.Id}:"), StringComparison.Ordinal));
        killed.Kill(entireProcessTree: true);
        await killed.WaitForExitAsync();

        // A hundred short jobs while one worker is dead and the other is alive: each must run once.
        var ids = Enumerable.Range(0, 100).Select(n => client.Enqueue(() => File.AppendAllText(Path.Combine(outputs, $"job-{n:000}"), "ran\n"))).ToList();

        await WaitAsync(storage, ids.Append(slow), TimeSpan.FromMinutes(5));
        Assert.Equal(Enumerable.Range(0, 100).Select(n => $"job-{n:000}"), Directory.GetFiles(outputs, "job-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(outputs, "job-*"), f => Assert.Equal("ran\n", File.ReadAllText(f)));

        // The slow job ran to its end on the surviving worker after the killed one's try.
        var history = storage.GetMonitoringApi().JobDetails(slow).History;
        var survivor = workers.Single(w => w != killed);
        Assert.Equal(SucceededState.StateName, history[0].StateName);
        var processing = history.Where(h => h.StateName == ProcessingState.StateName).Select(h => h.Data["ServerId"]).Reverse().ToList();
        Assert.Equal(2, processing.Count);
        Assert.Equal(owner, processing[0]);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"relaywatch-{Environment.MachineName}-{survivor.Id}:"), processing[1], StringComparison.Ordinal);

        // Start the killed worker again, so that two compete for the next ticks, and see two ticks through.
        await StartWorkerAsync(config);
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (TickJobIds(storage).Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
        }

        var tickJobs = TickJobs(storage);
        Assert.True(tickJobs.Count >= 3, $"the recurring job fired {tickJobs.Count} time(s) in four minutes");
        // One job per tick: no two were created in the same minute.
        Assert.Equal(tickJobs.Count, tickJobs.Select(created => created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Distinct().Count());
        await WaitAsync(storage, [.. TickJobIds(storage)], TimeSpan.FromMinutes(1));
        Assert.Equal(TickJobIds(storage).Count, File.ReadAllLines(ticks).Length);
    }

    private static List<DateTime> TickJobs(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        return [.. TickJobIds(storage).Select(id => connection.GetJobData(id).CreatedAt)];
    }

    /// <summary>Every job the recurring job has created so far, whatever its state.</summary>
    private static List<string> TickJobIds(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var all = monitoring.SucceededJobs(0, 1000).Select(j => j.Key)
            .Concat(monitoring.ProcessingJobs(0, 1000).Select(j => j.Key))
            .Concat(monitoring.EnqueuedJobs("default", 0, 1000).Select(j => j.Key))
            .Concat(monitoring.FailedJobs(0, 1000).Select(j => j.Key))
            .Distinct(StringComparer.Ordinal);
        using var connection = storage.GetConnection();
        return [.. all.Where(id => connection.GetJobParameter(id, "RecurringJobId") is { } recurring && recurring.Contains("tick-probe", StringComparison.Ordinal))];
    }

    private async Task StartWorkerAsync(string config)
    {
        var worker = RelayWatchProcess.Start(["--config", config, "serve", "--urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Loopback.FreePort()}")]);
        workers.Add(worker);
        var said = new List<string>();
        string? line;
        while ((line = await worker.StandardError.ReadLineAsync()) is not null && !line.StartsWith("RelayWatch serve on", StringComparison.Ordinal))
        {
            said.Add(line);
        }

        Assert.True(line is not null, "serve ended before it was ready: " + string.Join('\n', said));
        // Keep reading what it says, so that a full pipe never blocks it.
        _ = worker.StandardError.ReadToEndAsync();
        _ = worker.StandardOutput.ReadToEndAsync();
    }

    /// <summary>The server id of the worker running the job, once one has taken it.</summary>
    private static async Task<string> WaitForProcessingServerAsync(JobStorage storage, string job)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var details = storage.GetMonitoringApi().JobDetails(job);
            if (details.History.FirstOrDefault() is { } latest && latest.StateName == ProcessingState.StateName)
            {
                var processing = latest;
                return processing.Data["ServerId"];
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>Waits until every job has succeeded; fails saying which did not.</summary>
    private static async Task WaitAsync(JobStorage storage, IEnumerable<string> jobs, TimeSpan limit)
    {
        var pending = jobs.ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + limit;
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            using var connection = storage.GetConnection();
            pending.RemoveWhere(id => connection.GetStateData(id)?.Name == SucceededState.StateName);
            await Task.Delay(500);
        }

        Assert.True(pending.Count == 0, $"{pending.Count} job(s) did not succeed within {limit.TotalMinutes} minutes, e.g. {pending.FirstOrDefault()}");
    }
}
