using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Simulation;
using RelayWatch.Store;

namespace RelayWatch.Bench;

/// <summary>
/// Each detector over N simulated days at scale 1 on the embedded engine: seconds per detector
/// (total and per day of data) and the process's peak working set after each. <c>--harder</c> simulates
/// issue 17's harder world (backscatter waves, messy legitimate senders, snowshoe, stolen logins).
/// </summary>
internal static class DetectBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var days = (int)arguments.Long("--days", 30);
        var scale = double.Parse(arguments.Text("--scale", "1"), CultureInfo.InvariantCulture);
        var world = args.Contains("--harder") ? SimulationWorld.Harder : SimulationWorld.Classic;
        var root = Path.Combine(Path.GetTempPath(), "relaywatch-detect-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var start = new DateOnly(2026, 10, 1);
        try
        {
            var simulation = new Simulator(new SimulationOptions { Days = days, Scale = scale, Start = start, Seed = 31, World = world, Output = Path.Combine(root, "sim") }).Run(CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Simulated {days} day(s) of the {world.ToString().ToLowerInvariant()} world at scale {scale}: {simulation.LinesByFile.Values.Sum():N0} lines in {simulation.Elapsed.TotalSeconds:F1} s"));

            var options = new StoreOptions { DataDirectory = Path.Combine(root, "data"), EventRetentionDays = 20_000 };
            await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
            var stopwatch = Stopwatch.StartNew();
            var runner = new IngestRunner(store, new IngestOptions { RetentionDays = options.EventRetentionDays }, TimeProvider.System, NullLogger.Instance);
            var ingested = await runner.IngestAsync([Path.Combine(root, "sim", "logs")], CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Ingested {ingested.Sum(s => s.Counts.Events):N0} events in {stopwatch.Elapsed.TotalSeconds:F1} s"));

            // Time the detectors on a store at rest, not racing the merges that follow a large ingest.
            stopwatch.Restart();
            while (await store.QueryScalarAsync("SELECT count() FROM system.merges", CancellationToken.None) != "0")
            {
                await Task.Delay(1000);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Background merges finished {stopwatch.Elapsed.TotalSeconds:F0} s after ingest"));
            var last = start.AddDays(days - 1);
            Console.WriteLine($"{"detector",-16} {"seconds",9} {"s per day",10} {"findings",9} {"peak MiB",9}");
            foreach (var detector in DetectorCatalog.Create(new DetectorSettings()))
            {
                var detection = new DetectionRunner(store, new EstateSettings(), [detector], NullLogger.Instance);
                var runs = await detection.RunAsync(start, last, null, CancellationToken.None);
                var seconds = runs.Sum(r => r.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{detector.Name,-16} {seconds,9:F1} {seconds / days,10:F2} {runs.Sum(r => r.Findings),9:N0} {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024),9:N0}"));
            }

            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
