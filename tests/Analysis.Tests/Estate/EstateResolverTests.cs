using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Tests.Detection;

namespace RelayWatch.Analysis.Tests.Estate;

public sealed class EstateResolverTests(SimulatedDayFixture day) : IClassFixture<SimulatedDayFixture>
{
    [Fact]
    public async Task WithoutConfigurationOurDomainsAndMailServersComeFromWhereInboundMailGoes()
    {
        var ours = await EstateResolver.ResolveAsync(day.Store, new EstateSettings(), SimulatedDayFixture.Day, CancellationToken.None);

        Assert.Equal(["ours.example"], ours.ProtectedDomains);
        Assert.True(ours.DomainsInferred);
        Assert.Equal(["10.20.0.5"], ours.MailServers);
        Assert.Equal(["EDGE1", "esa1", "mx1", "mx2", "mx4"], ours.Relays);
        // Domino logs each relay handing it mail under the relay's name: EDGE1.ours.example (10.20.4.11), …
        Assert.Equal(["10.20.0.11", "10.20.1.11", "10.20.2.11", "10.20.3.11", "10.20.4.11"], ours.RelayAddresses);
        Assert.Contains("10.0.0.0/8", ours.InternalNetworks);
    }

    [Fact]
    public async Task ConfiguredDomainsAndNetworksWin()
    {
        var settings = new EstateSettings { ProtectedDomains = ["Ours.Example.", "ours.test"], InternalNetworks = ["192.0.2.100", "2001:db8:1::/48"] };

        var ours = await EstateResolver.ResolveAsync(day.Store, settings, SimulatedDayFixture.Day, CancellationToken.None);

        Assert.Equal(["ours.example", "ours.test"], ours.ProtectedDomains);
        Assert.False(ours.DomainsInferred);
        Assert.Contains("192.0.2.100/32", ours.InternalNetworks);
        Assert.Contains("2001:db8:1::/48", ours.InternalNetworks);
    }

    [Fact]
    public async Task ConfiguredRelayAddressesAreAddedToThoseTheLogsShow()
    {
        var settings = new EstateSettings { RelayAddresses = ["198.51.100.25", "2001:db8:77::/64"] };

        var ours = await EstateResolver.ResolveAsync(day.Store, settings, SimulatedDayFixture.Day, CancellationToken.None);

        Assert.Equal(["10.20.0.11", "10.20.1.11", "10.20.2.11", "10.20.3.11", "10.20.4.11", "198.51.100.25", "2001:db8:77::/64"], ours.RelayAddresses);
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            EstateResolver.ResolveAsync(day.Store, new EstateSettings { RelayAddresses = ["mx1"] }, SimulatedDayFixture.Day, CancellationToken.None));
        Assert.StartsWith("'mx1' in estate.relayAddresses is not an address or a network such as 192.0.2.0/24.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMisspeltNetworkIsRefusedInOneSentence()
    {
        var settings = new EstateSettings { InternalNetworks = ["10.0.0.0/33"] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => EstateResolver.ResolveAsync(day.Store, settings, SimulatedDayFixture.Day, CancellationToken.None));

        Assert.StartsWith("'10.0.0.0/33' in estate.internalNetworks is not an address or a network such as 192.0.2.0/24.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInternalNetworkIsNeverBlamed()
    {
        // Declaring the backscatter source ours (as a partner's relay would be) takes it out of every detector.
        var settings = new EstateSettings { InternalNetworks = ["198.51.100.59"] };
        await using var store = await Store.Tests.Support.TestEngine.OpenAsync();
        var runner = new Ingest.Loading.IngestRunner(store, new Ingest.IngestOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await runner.IngestAsync([Path.Combine(SimulatedDayFixture.Directory, "logs")], CancellationToken.None);

        var runs = await SimulatedDayFixture.DetectAsync(store, settings);

        Assert.Equal(0, runs.Single(r => r.Detector == "backscatter").Findings);
        Assert.Equal(day.Runs.Single(r => r.Detector == "dha").Findings, runs.Single(r => r.Detector == "dha").Findings);
    }
}
