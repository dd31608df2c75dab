using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Blocklists;

/// <summary>
/// The exports read by the real tools from Debian's packages: Postfix's postmap on the CIDR and hash
/// maps, rbldnsd serving the zone to dig, and nft checking the sets. Listed: an IPv4 address and /24,
/// an IPv6 address and /48. Allowlisted and therefore absent: 192.0.2.203.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BlocklistToolTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 25, 1, 0, 0, DateTimeKind.Utc);

    private readonly string folder = Loopback.ReadableFolder("relaywatch-blocklist-");

    private readonly IReadOnlyList<BlocklistEntry> published = BlocklistFormats.Published(
        [
            Entry("203.0.113.7"), Entry("198.18.4.0/24"), Entry("198.18.4.9"), Entry("2001:db8:5a0b::/48"),
            Entry("2001:db8:d031:b966::965"), Entry("192.0.2.203"), Entry("198.51.100.1") with { ExpiresAt = Now.AddDays(-1) },
        ],
        new BlocklistGuard(new BlocklistSettings { Allowlist = ["192.0.2.200/29"] }, [], [], []),
        Now);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void WhatIsPublishedLeavesOutTheAllowlistedTheExpiredAndWhatANetworkCovers()
    {
        Assert.Equal(["198.18.4.0/24", "203.0.113.7", "2001:db8:5a0b::/48", "2001:db8:d031:b966::965"], published.Select(e => e.Subject));
    }

    [Fact]
    public async Task PostmapRejectsTheListedFromTheCidrMapsAndAnswersNothingForTheAllowlisted()
    {
        var postmap = await DebianPackages.RequireAsync("postmap", "postfix");
        var cidr = Write("postfix-cidr");
        var postscreen = Write("postscreen-cidr");

        Assert.StartsWith("REJECT Listed by RelayWatch", (await Query(postmap, "203.0.113.7", $"cidr:{cidr}")).Output, StringComparison.Ordinal);
        Assert.StartsWith("REJECT", (await Query(postmap, "198.18.4.77", $"cidr:{cidr}")).Output, StringComparison.Ordinal);
        Assert.StartsWith("REJECT", (await Query(postmap, "2001:db8:5a0b:1::1", $"cidr:{cidr}")).Output, StringComparison.Ordinal);
        Assert.Equal("reject\n", (await Query(postmap, "2001:db8:d031:b966::965", $"cidr:{postscreen}")).Output);
        var allowlisted = await Query(postmap, "192.0.2.203", $"cidr:{cidr}");
        Assert.Equal((1, string.Empty), (allowlisted.ExitCode, allowlisted.Output));
    }

    [Fact]
    public async Task PostmapBuildsTheHashMapAndFindsAddressesAndNetworkPrefixes()
    {
        var postmap = await DebianPackages.RequireAsync("postmap", "postfix");
        var hash = Write("postfix-hash");

        var build = await DebianPackages.RunAsync(postmap, $"hash:{hash}");

        Assert.True(build.ExitCode == 0, build.Error);
        Assert.StartsWith("REJECT", (await Query(postmap, "203.0.113.7", $"hash:{hash}")).Output, StringComparison.Ordinal);
        // Postfix looks a client up by address, then by its parent networks: 198.18.4, then 198.18.
        Assert.StartsWith("REJECT", (await Query(postmap, "198.18.4", $"hash:{hash}")).Output, StringComparison.Ordinal);
        Assert.StartsWith("REJECT", (await Query(postmap, "2001:db8:5a0b", $"hash:{hash}")).Output, StringComparison.Ordinal);
        Assert.Equal(1, (await Query(postmap, "192.0.2.203", $"hash:{hash}")).ExitCode);
    }

    [Fact]
    public async Task RbldnsdServesTheZoneAndDigGetsTheListedAnswerOrNxdomain()
    {
        var rbldnsd = await DebianPackages.RequireAsync("rbldnsd", "rbldnsd");
        var dig = await DebianPackages.RequireAsync("dig", "bind9-dnsutils");
        var zone = Write("rbldnsd");
        var port = Loopback.FreeUdpPort();
        var start = new ProcessStartInfo(rbldnsd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-n", "-b", $"127.0.0.1/{port}", "-r", folder, $"bl.test:combined:{Path.GetFileName(zone)}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var server = Process.Start(start)!;
        try
        {
            // rbldnsd says "… started" (on stdout, in the foreground) once its zones are loaded and it answers.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var said = new List<string>();
            string? line;
            while ((line = await server.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.Contains("started", StringComparison.Ordinal))
            {
                said.Add(line);
            }

            Assert.True(line is not null, "rbldnsd did not start: " + string.Join(" | ", said));
            async Task<string> Ask(string name, params string[] options) =>
                (await DebianPackages.RunAsync(dig, ["@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+tries=5", "+time=1", .. options, name, "A"])).Output;

            Assert.Equal("127.0.0.2\n", await Ask("7.113.0.203.bl.test", "+short"));
            Assert.Equal("127.0.0.2\n", await Ask("9.4.18.198.bl.test", "+short"));
            Assert.Equal("127.0.0.2\n", await Ask(Reversed("2001:db8:5a0b:77::1") + ".bl.test", "+short"));
            Assert.Contains("status: NXDOMAIN", await Ask("203.2.0.192.bl.test"), StringComparison.Ordinal);
            Assert.Contains("status: NXDOMAIN", await Ask("8.113.0.203.bl.test"), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task NftAcceptsTheSets()
    {
        var nft = await DebianPackages.RequireAsync("nft", "nftables");
        var check = await DebianPackages.RunAsync(nft, "-c", "-f", Write("nftables"));

        Assert.True(check.ExitCode == 0, check.Error);
    }

    [Fact]
    public void EveryFormatWritesEveryPublishedEntryAndNothingAllowlisted()
    {
        foreach (var format in BlocklistFormats.All)
        {
            var text = format.Render(published, Now);
            Assert.DoesNotContain("192.0.2.203", text, StringComparison.Ordinal);
            Assert.Contains(format.Name is "postfix-hash" or "sendmail-access" ? "203.0.113.7" : "198.18.4.0/24", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DominoGetsBracketedEntriesAndNothingElseToPasteIntoItsDenyField()
    {
        Assert.Equal("[198.18.4.0/24]\n[203.0.113.7]\n[2001:db8:5a0b::/48]\n[2001:db8:d031:b966::965]\n", BlocklistFormats.Find("domino").Render(published, Now));
    }

    [Fact]
    public void CiscoEsaGetsSenderGroupEntriesWithIpv6InEightGroups()
    {
        var text = BlocklistFormats.Find("esa").Render(published, Now);

        Assert.Equal("198.18.4.0/24\n203.0.113.7\n2001:db8:5a0b:0:0:0:0:0/48\n2001:db8:d031:b966:0:0:0:965\n", text);
        // Every line is one of the forms of AsyncOS's sender group syntax table that an export can need.
        Assert.All(text.TrimEnd('\n').Split('\n'), line => Assert.Matches(@"^(\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?|[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}(/\d{1,3})?)$", line));
    }

    private string Write(string format)
    {
        var path = Path.Combine(folder, format);
        File.WriteAllText(path, BlocklistFormats.Find(format).Render(published, Now));
        return path;
    }

    private static Task<(int ExitCode, string Output, string Error)> Query(string postmap, string key, string map) => DebianPackages.RunAsync(postmap, "-q", key, map);

    private static BlocklistEntry Entry(string subject) =>
        new(subject, BlocklistActions.Listed, "test", ["test"], "high", Now.AddDays(-1), Now.AddDays(6), "test", Now.AddDays(-1));

    /// <summary>The DNSBL query name of an IPv6 address: its 32 nibbles, reversed.</summary>
    private static string Reversed(string address) =>
        string.Join('.', Convert.ToHexStringLower(IPAddress.Parse(address).GetAddressBytes()).Reverse());
}
