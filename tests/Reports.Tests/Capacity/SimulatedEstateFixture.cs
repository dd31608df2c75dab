using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Simulation;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Reports.Tests.Capacity;

/// <summary>
/// Five simulated weeks of both sites with a known growth of 1 % a day and the simulator's weekly
/// outage of the preferred site, ingested once for the tests that check trends and failover against
/// what was simulated.
/// </summary>
public sealed class SimulatedEstateFixture : IAsyncLifetime
{
    public const double GrowthPercent = 1.0;
    public const int Days = 35;
    public static readonly DateOnly Start = new(2026, 9, 1);

    public IClickHouseStore Store { get; private set; } = null!;

    public DateOnly Last => Start.AddDays(Days - 1);

    /// <summary>The outages the simulator wrote into truth.jsonl: (start, end).</summary>
    public IReadOnlyList<(DateTime Start, DateTime End)> Outages { get; private set; } = [];

    private readonly string folder = Path.Combine(Path.GetTempPath(), "relaywatch-report-tests", "estate-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        var output = Path.Combine(folder, "simulation");
        new Simulator(new SimulationOptions { Days = Days, Start = Start, Seed = 31, Scale = 0.02, Growth = GrowthPercent, Output = output }).Run(CancellationToken.None);
        Outages = [.. File.ReadLines(Path.Combine(output, "truth.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(t => t.GetProperty("kind").GetString() == "mx_failover")
            .Select(t => (t.GetProperty("start").GetDateTimeOffset().UtcDateTime, t.GetProperty("end").GetDateTimeOffset().UtcDateTime))];
        Store = await TestEngine.OpenAsync();
        await new IngestRunner(Store, new IngestOptions { RetentionDays = 3650 }, TimeProvider.System, NullLogger.Instance)
            .IngestAsync([Path.Combine(output, Simulator.LogsFolder)], CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
