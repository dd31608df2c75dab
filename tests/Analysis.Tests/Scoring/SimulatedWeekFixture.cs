using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Simulation;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Scoring;

/// <summary>
/// Six simulated days, ingested and detected once: five to learn from (the last of them held out by
/// the trainer), the sixth to score. Small (scale 0.01) so the tests stay quick.
/// </summary>
public sealed class SimulatedWeekFixture : IAsyncLifetime
{
    public static readonly DateOnly First = new(2026, 10, 5);

    public static readonly DateOnly Scored = First.AddDays(5);

    private readonly string folder = Path.Combine(Path.GetTempPath(), $"relaywatch-week-{Guid.NewGuid():N}");

    public IClickHouseStore Store { get; private set; } = null!;

    public IReadOnlyList<string> TruthLines { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var output = Path.Combine(folder, "simulation");
        new Simulator(new SimulationOptions { Days = 6, Start = First, Seed = 4242, Scale = 0.01, Output = output }).Run(CancellationToken.None);
        TruthLines = File.ReadAllLines(Path.Combine(output, "truth.jsonl"));
        Store = await TestEngine.OpenAsync();
        await new IngestRunner(Store, new IngestOptions(), TimeProvider.System, NullLogger.Instance)
            .IngestAsync([Path.Combine(output, Simulator.LogsFolder)], CancellationToken.None);
        await new DetectionRunner(Store, new EstateSettings(), DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(First, Scored, null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
