using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Reports.Content;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests.Support;

/// <summary>The committed simulated day (data/samples/simulated), ingested, detected and reported once for the tests that read it.</summary>
public sealed class SampleDayFixture : IAsyncLifetime
{
    public static readonly DateOnly Day = new(2026, 11, 24);

    /// <summary>The report is made the morning after, as the daily job would.</summary>
    public static readonly DateTimeOffset MadeAt = new(2026, 11, 25, 1, 30, 0, TimeSpan.Zero);

    public static string LogsFolder { get; } = Path.Combine(RepositoryFolders.Samples, "simulated", "logs");

    public static string ContextFile { get; } = Path.Combine(RepositoryFolders.Samples, "simulated", "context.csv");

    public IClickHouseStore Store { get; private set; } = null!;

    public DailyReport Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = await TestEngine.OpenAsync();
        await new IngestRunner(Store, new IngestOptions(), TimeProvider.System, NullLogger.Instance).IngestAsync([LogsFolder], CancellationToken.None);

        // The sample's network context, as demo loads it: findings' networks and the report's section 8.
        using (var csv = new StreamReader(ContextFile))
        {
            await new NetworkContextStore(Store).ReplaceAsync(NetworkContextCsv.Read(csv, ContextFile), "context.csv", TimeProvider.System, CancellationToken.None);
        }

        await new DetectionRunner(Store, new EstateSettings(), DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance).RunAsync(Day, Day, null, CancellationToken.None);
        Report = await BuildAsync(Store, Day);
    }

    public static Task<DailyReport> BuildAsync(IClickHouseStore store, DateOnly day, ReportSettings? settings = null) =>
        new ReportBuilder(store, new EstateSettings(), settings ?? new ReportSettings(), new FakeTimeProvider(MadeAt)).BuildAsync(day, CancellationToken.None);

    public async Task DisposeAsync() => await Store.DisposeAsync();
}
