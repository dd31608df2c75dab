using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Simulation;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Store.Vocabulary;

namespace RelayWatch.Bench;

/// <summary>
/// Embedded vs HTTP ingest of the same simulated week (issue 20): the week is simulated once, then ingested
/// end to end into the embedded store and into a server store over ClickHouse's HTTP interface
/// (ClickHouse.Driver, the server engine), and both stores must hold the same rows. The server is the one
/// <c>RELAYWATCH_TEST_CLICKHOUSE</c> names, else the TEST fixture <see cref="ClickHouseHttpFixture"/> (linked
/// from tests/Store.Tests): ClickHouse's HTTP front served by Kestrel in front of this process's embedded
/// engine. The fixture is not a ClickHouse server; what it measures is the server engine's own cost (the
/// driver, RowBinary over HTTP, the fixture's parsing of the request) on top of the same engine.
/// </summary>
internal static class ServerIngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var days = (int)arguments.Long("--days", 7);
        var repeat = (int)arguments.Long("--repeat", 2);
        var scale = double.Parse(arguments.Text("--scale", "0.05"), CultureInfo.InvariantCulture);
        var ingestOptions = new IngestOptions { RetentionDays = 20_000 };
        ingestOptions.BatchLines = (int)arguments.Long("--batch-lines", ingestOptions.BatchLines);
        ingestOptions.InsertsInFlight = (int)arguments.Long("--in-flight", ingestOptions.InsertsInFlight);
        var root = Path.Combine(Path.GetTempPath(), "relaywatch-server-ingest-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var start = new DateOnly(2026, 11, 2);
        ClickHouseHttpFixture? fixture = null;
        try
        {
            var simulation = new Simulator(new SimulationOptions { Days = days, Scale = scale, Start = start, Seed = 4711, Output = Path.Combine(root, "sim") }).Run(CancellationToken.None);
            var lines = simulation.LinesByFile.Values.Sum();
            var logs = Path.Combine(root, "sim", "logs");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Embedded vs HTTP ingest of the same simulated week: {days} day(s) at scale {scale} from {start:yyyy-MM-dd}, {lines:N0} lines in {simulation.LinesByFile.Count} files; batches of {ingestOptions.BatchLines:N0} lines, {ingestOptions.InsertsInFlight} in flight; {Environment.ProcessorCount} cores"));

            var real = Environment.GetEnvironmentVariable(ServerEngine.Variable);
            string connectionString;
            string serverName;
            if (!string.IsNullOrWhiteSpace(real))
            {
                connectionString = real;
                serverName = $"server named by {ServerEngine.Variable}";
            }
            else
            {
                fixture = new ClickHouseHttpFixture();
                await fixture.InitializeAsync();
                connectionString = fixture.ConnectionString();
                serverName = "HTTP, test fixture";
            }

            // Rounds alternate which store goes first, so that neither always pays the first run's compilation.
            var embeddedRuns = new List<Run>();
            var serverRuns = new List<Run>();
            for (var round = 1; round <= repeat; round++)
            {
                foreach (var onServer in round % 2 == 1 ? new[] { false, true } : [true, false])
                {
                    if (onServer)
                    {
                        var serverOptions = new StoreOptions { ConnectionString = connectionString, Database = "bench_http_" + Guid.NewGuid().ToString("N")[..8], EventRetentionDays = 20_000 };
                        var requestsBefore = fixture?.RequestCount ?? 0;
                        serverRuns.Add(await IngestAsync($"round {round}: server engine ({serverName})", serverOptions, ingestOptions, logs, lines));
                        if (fixture is not null)
                        {
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    (the fixture answered {fixture.RequestCount - requestsBefore:N0} HTTP requests of that run)"));
                        }
                    }
                    else
                    {
                        var embeddedOptions = TestEngine.Options(string.Create(CultureInfo.InvariantCulture, $"bench_embedded_{round}"));
                        embeddedOptions.EventRetentionDays = 20_000;
                        embeddedRuns.Add(await IngestAsync($"round {round}: embedded engine", embeddedOptions, ingestOptions, logs, lines));
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}: HTTP at {embeddedRuns[^1].Seconds / serverRuns[^1].Seconds:P0} of the embedded rate, {serverRuns[^1].Cpu / embeddedRuns[^1].Cpu:P0} of its CPU seconds"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  best: embedded {lines / embeddedRuns.Min(r => r.Seconds):N0} lines/s, HTTP {lines / serverRuns.Min(r => r.Seconds):N0} lines/s; peak working set of the process {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB"));
            var first = embeddedRuns[0];
            var same = embeddedRuns.Concat(serverRuns).All(r => r.Rows == first.Rows && r.Checksum == first.Checksum && r.Events == first.Events);
            Console.WriteLine(same
                ? string.Create(CultureInfo.InvariantCulture, $"  same rows in every store: {first.Rows:N0} rows, checksum {first.Checksum} (the file paths, which hold this process's id, are among the hashed columns)")
                : "  THE STORES DIFFER: " + string.Join("; ", embeddedRuns.Select(r => $"embedded {r.Rows} rows, {r.Checksum}").Concat(serverRuns.Select(r => $"server {r.Rows} rows, {r.Checksum}"))));
            return same ? 0 : 1;
        }
        finally
        {
            if (fixture is not null)
            {
                await fixture.DisposeAsync();
            }

            foreach (var directory in new[] { root, TestEngine.DataDirectory })
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
    }

    private sealed record Run(double Seconds, double Cpu, long Events, long Rows, string Checksum);

    private static async Task<Run> IngestAsync(string name, StoreOptions storeOptions, IngestOptions ingestOptions, string logs, long lines)
    {
        await using var store = await ClickHouseStore.OpenAsync(storeOptions, null, CancellationToken.None);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var summaries = await new IngestRunner(store, ingestOptions, TimeProvider.System, NullLogger.Instance).IngestAsync([logs], CancellationToken.None);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var events = summaries.Sum(s => s.Counts.Events);

        // Every column ingest writes, hashed row by row and summed: equal only when both stores hold the same rows.
        var row = await store.QueryListAsync(
            $"SELECT count(), toString(sum(cityHash64({string.Join(", ", SmtpEventsTable.Columns)}))) FROM {SmtpEventsTable.Name}",
            null, CancellationToken.None);
        var rows = long.Parse(row[0][0], CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-52} {lines / seconds,10:N0} lines/s  {events,10:N0} lines with events  {rows,10:N0} rows  {seconds,7:F2} s  ({cpu.TotalSeconds:F2} CPU s)"));
        return new Run(seconds, cpu.TotalSeconds, events, rows, row[0][1]);
    }
}
