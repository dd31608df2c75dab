using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>The committed simulated day (data/samples/simulated), ingested and detected once for the tests that read it.</summary>
public sealed class SimulatedDayFixture : IAsyncLifetime
{
    public static readonly DateOnly Day = new(2026, 11, 24);

    public static string Directory { get; } = Path.Combine(RepositoryFolders.Samples, "simulated");

    public IClickHouseStore Store { get; private set; } = null!;

    public IReadOnlyList<Finding> Findings { get; private set; } = [];

    public IReadOnlyList<DetectorRun> Runs { get; private set; } = [];

    public IReadOnlyList<string> TruthLines { get; } = File.ReadAllLines(Path.Combine(Directory, "truth.jsonl"));

    /// <summary>What the simulation's operator configures (its <c>relaywatch.json</c>): the relays' public addresses.</summary>
    public static EstateSettings Estate { get; } = new()
    {
        RelayAddresses = [.. System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "relaywatch.json"))).RootElement
            .GetProperty("estate").GetProperty("relayAddresses").EnumerateArray().Select(a => a.GetString()!)],
    };

    public async Task InitializeAsync()
    {
        Store = await TestEngine.OpenAsync();
        var runner = new IngestRunner(Store, new IngestOptions(), TimeProvider.System, NullLogger.Instance);
        await runner.IngestAsync([Path.Combine(Directory, "logs")], CancellationToken.None);
        // Other receivers' DMARC reports about the day, and the relays' public addresses as the operator configures them.
        var loader = new DmarcLoader(new DmarcReportReader(), new DmarcStore(Store, TimeProvider.System), new TlsStore(Store, TimeProvider.System));
        foreach (var file in DmarcLoader.Expand([Path.Combine(Directory, "dmarc")]))
        {
            await loader.LoadFileAsync(file, new DmarcLoadSummary(), CancellationToken.None);
        }

        Runs = await DetectAsync(Store, Estate);
        Findings = await Finding.ReadAsync(Store, Day, Day, CancellationToken.None);
    }

    public static Task<IReadOnlyList<DetectorRun>> DetectAsync(IClickHouseStore store, EstateSettings? estate = null, DetectorSettings? settings = null) =>
        new DetectionRunner(store, estate ?? Estate, DetectorCatalog.Create(settings ?? new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);

    public async Task DisposeAsync() => await Store.DisposeAsync();
}
