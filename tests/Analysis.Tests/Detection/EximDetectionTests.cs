using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// The detectors read what an Exim relay logged as they read Postfix's: the events are the same. On the
/// embedded engine here, on the server engine (ingest, estate and detection over HTTP) in
/// <see cref="EximDetectionOnServerTests"/>.
/// </summary>
public class EximDetectionTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    [Fact]
    public async Task TheEximSamplesRelayProbeAndSpoofedSenderAreFoundAndOurMailServerIsInferred()
    {
        await using var store = await OpenStoreAsync();
        await new IngestRunner(store, new IngestOptions { Year = 2026 }, TimeProvider.System, NullLogger.Instance)
            .IngestAsync([Path.Combine(RepositoryFolders.Samples, "exim")], CancellationToken.None);

        // The sample is one small day: too few deliveries to infer our domains from, so they are given.
        var estate = new EstateSettings { ProtectedDomains = ["ours.example"] };
        var ours = await EstateResolver.ResolveAsync(store, estate, Day, CancellationToken.None);
        await new DetectionRunner(store, estate, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);

        Assert.Equal(["10.20.0.5"], ours.MailServers);
        Assert.Equal(["mx3"], ours.Relays);
        Assert.Equal([("relay_probe", "198.51.100.170"), ("spoofing", "198.51.100.106")], findings.Select(f => (f.Detector, f.Subject)));
        var probe = findings[0];
        using var evidence = probe.ParseEvidence();
        Assert.Equal(["percent_hack", "quoted", "relay_test_address"], evidence.RootElement.GetProperty("probe_types").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["fake.domain"], evidence.RootElement.GetProperty("helos").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("our domain as sender (ceo@ours.example) without authentication; 0 accepted, 1 refused", FindingExplainer.Explain(findings[1]));
    }

    /// <summary>A store on a fresh database of the engine under test.</summary>
    protected virtual Task<IClickHouseStore> OpenStoreAsync() => TestEngine.OpenAsync();
}
