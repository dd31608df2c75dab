using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class ContextCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task DetectSaysContextIsOffUntilACsvIsLoadedThenNamesTheNetworks()
    {
        var data = directory.Combine("data");
        var ingest = await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"));
        Assert.True(ingest.ExitCode == 0, ingest.Error);
        var csv = directory.Combine("networks.csv");
        // The simulator's outside senders are in the documentation ranges (RFC 5737).
        await File.WriteAllTextAsync(csv, "network,asn,organisation,country\n192.0.2.0/24,64500,Example Hosting,NL\n198.51.100.0/24,64501,Example Cloud,DE\n203.0.113.0/24,64502,Example Telecom,FR\n");

        var off = await RelayWatchProcess.RunAsync("--data", data, "detect");
        var load = await RelayWatchProcess.RunAsync("--data", data, "context", "load", "--csv", csv);
        var on = await RelayWatchProcess.RunAsync("--data", data, "detect");
        var query = await RelayWatchProcess.RunAsync("--data", data, "query", "SELECT dictGet('network_context', 'organisation', toIPv6('198.51.100.7'))");

        Assert.True(load.ExitCode == 0, load.Error);
        Assert.StartsWith("Network context: 3 networks from networks.csv loaded in ", load.Output, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(off.Output, "Network context is off"));
        Assert.DoesNotContain("; from AS", off.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Network context is off", on.Output, StringComparison.Ordinal);
        Assert.Matches(@"open_relay — 1 finding\(s\)\n  2026-11-24  critical  192\.0\.2\.\d+ +.*; from AS64500 Example Hosting, NL\n", on.Output);
        Assert.Equal("Example Cloud\n", query.Output);
    }

    [Fact]
    public async Task ABadCsvIsRefusedByLineAndLeavesTheLoadedContextAsItWas()
    {
        var data = directory.Combine("data");
        var good = directory.Combine("good.csv");
        var bad = directory.Combine("bad.csv");
        await File.WriteAllTextAsync(good, "network,asn,organisation,country\n192.0.2.0/24,64500,Example Hosting,NL\n");
        await File.WriteAllTextAsync(bad, "network,asn,organisation,country\n198.51.100.0/24,64501,Example Cloud,DE\n198.51.100.7/24,64501,Example Cloud,DE\n");
        await RelayWatchProcess.RunAsync("--data", data, "context", "load", "--csv", good);

        var refused = await RelayWatchProcess.RunAsync("--data", data, "context", "load", "--csv", bad);
        var both = await RelayWatchProcess.RunAsync("--data", data, "context", "load", "--csv", good, "--asn", good);
        var query = await RelayWatchProcess.RunAsync("--data", data, "query", "SELECT dictGet('network_context', 'asn', toIPv6('192.0.2.1'))");

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"relaywatch: {bad} line 3: '198.51.100.7/24' has host bits set (the network is 198.51.100.0/24).\nThe network context was left as it was.\n", refused.Error);
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("relaywatch: Give either MaxMind databases (--asn, --country) or a CSV (--csv), not both.\n", both.Error);
        Assert.Equal("64500\n", query.Output);
    }

    [Fact]
    public async Task TheFilesComeFromTheConfigurationsContextSectionWhenNoOptionNamesThem()
    {
        var data = directory.Combine("data");
        var csv = directory.Combine("ours.csv");
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(csv, "network,asn,organisation,country\n2001:db8::/32,64496,\"Example, IPv6\",SE\n");
        await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(new { context = new { csv } }));

        var load = await RelayWatchProcess.RunAsync("--data", data, "--config", config, "context", "load");
        var query = await RelayWatchProcess.RunAsync("--data", data, "query", "SELECT dictGet('network_context', ('asn', 'organisation', 'country'), toIPv6('2001:db8:ffff::1'))");

        Assert.True(load.ExitCode == 0, load.Error);
        Assert.Equal("(64496,'Example, IPv6','SE')\n", query.Output);
    }
}
