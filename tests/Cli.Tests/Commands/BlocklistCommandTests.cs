using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary><c>relaywatch blocklist …</c> as an operator runs it against the committed simulated day.</summary>
public sealed class BlocklistCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task UpdateListsTheDaysAttackersAndExportWritesThemForPostfixWithTheHistoryKept()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"))).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "detect")).ExitCode);

        var update = await RelayWatchProcess.RunAsync("--data", data, "blocklist", "update");
        var cidr = directory.Combine("relaywatch.cidr");
        var export = await RelayWatchProcess.RunAsync("--data", data, "blocklist", "export", "--format", "postfix-cidr", "--out", cidr);
        var remove = await RelayWatchProcess.RunAsync("--data", data, "blocklist", "remove", "198.51.100.206", "--reason", "our pen test");
        var show = await RelayWatchProcess.RunAsync("--data", data, "blocklist", "show", "198.51.100.206");
        var list = await RelayWatchProcess.RunAsync("--data", data, "blocklist", "list");

        Assert.True(update.ExitCode == 0, update.Error);
        Assert.Matches(@"Blocklist from 2026-11-24: \d+ listed, 0 renewed, \d+ held for review, 0 expired", update.Output);
        Assert.Matches(@"\n  listed   192\.0\.2\.\d+ +until \d{4}-\d\d-\d\d  open_relay: ", update.Output);
        Assert.True(export.ExitCode == 0, export.Error);
        var lines = await File.ReadAllLinesAsync(cidr);
        Assert.StartsWith("# RelayWatch blocklist", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("2001:db8:5a0b::/48 REJECT", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("198.51.100.206 REJECT", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("10.", StringComparison.Ordinal));
        Assert.True(remove.ExitCode == 0, remove.Error);
        Assert.Matches(@"listed +by relaywatch until .*auth_bruteforce: \d+ failed authentications", show.Output);
        Assert.Contains($"removed   by {Environment.UserName}: our pen test", show.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.206", list.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "add", "0.0.0.0/0" }, "relaywatch: 0.0.0.0/0 is wider than a /16, the shortest prefix any blocklist carries, whatever blocklists.minPrefixV4 says.\n")]
    [InlineData(new[] { "add", "198.51.96.0/20" }, "relaywatch: 198.51.96.0/20 is wider than a /24, the shortest prefix blocklists.minPrefixV4 lets a blocklist carry.\n")]
    [InlineData(new[] { "add", "192.168.1.9" }, "relaywatch: 192.168.1.9 lies in special address space (192.168.0.0/16: private, loopback, link-local, multicast or reserved), which is never listed unless blocklists.allowSpecialAddresses is set.\n")]
    [InlineData(new[] { "add", "bogus" }, "relaywatch: 'bogus' is neither an IP address nor a network in CIDR notation (such as 192.0.2.0/24).\n")]
    [InlineData(new[] { "remove", "203.0.113.9" }, "relaywatch: 203.0.113.9 is not listed or held for review.\n")]
    [InlineData(new[] { "export", "--format", "pf", "--out", "x" }, "relaywatch: There is no blocklist format 'pf'; the formats are postfix-cidr, postscreen-cidr, postfix-hash, sendmail-access, exim, rbldnsd, nftables, exchange, domino, esa, plain, csv, json.\n")]
    public async Task ABadRequestIsRefusedInOneSentence(string[] arguments, string error)
    {
        var result = await RelayWatchProcess.RunAsync(["--data", directory.Combine("data"), "blocklist", .. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Error);
    }
}
