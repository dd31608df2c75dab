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

/// <summary>A fresh embedded store holding simulated days, ingested and detected: the set-up the analysis benchmarks share.</summary>
internal static class SimulatedStore
{
    /// <summary>Simulates, ingests and detects <paramref name="days"/> days into a fresh store, runs <paramref name="work"/>, and cleans up.</summary>
    public static async Task<int> WithStoreAsync(DateOnly start, int days, double scale, Func<IClickHouseStore, string, Task> work)
    {
        var root = Path.Combine(Path.GetTempPath(), "relaywatch-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var simulation = new Simulator(new SimulationOptions { Days = days, Scale = scale, Start = start, Seed = 4711, Output = Path.Combine(root, "sim") }).Run(CancellationToken.None);
            var options = new StoreOptions { DataDirectory = Path.Combine(root, "data"), EventRetentionDays = 20_000 };
            await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
            var stopwatch = Stopwatch.StartNew();
            await new IngestRunner(store, new IngestOptions { RetentionDays = options.EventRetentionDays }, TimeProvider.System, NullLogger.Instance)
                .IngestAsync([Path.Combine(root, "sim", "logs")], CancellationToken.None);
            await new DetectionRunner(store, new EstateSettings(), DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
                .RunAsync(start, start.AddDays(days - 1), null, CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"set-up: {days} simulated day(s) at scale {scale} ({simulation.LinesByFile.Values.Sum():N0} lines) ingested and detected in {stopwatch.Elapsed.TotalSeconds:F0} s"));
            await work(store, root);
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
