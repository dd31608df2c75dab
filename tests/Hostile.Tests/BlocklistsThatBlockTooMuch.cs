using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A blocklist is an outage waiting to happen: whatever the configuration says, it never carries a
/// network wider than an IPv4 /16 or an IPv6 /32, and never our own relays — found in the logs as the
/// hosts that write them (an internal mail server logs each relay connecting under its name) or
/// configured. A client that merely calls itself by a relay's name at the edge shields nothing.
/// </summary>
public sealed class BlocklistsThatBlockTooMuch : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    /// <summary>A configuration that would let anything through, were there no hard floors.</summary>
    private static readonly BlocklistSettings Reckless = new() { MinPrefixV4 = 0, MinPrefixV6 = 0, MinimumScore = null, AllowSpecialAddresses = true };

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero));

    private readonly string logs = Directory.CreateTempSubdirectory("relaywatch-hostile-").FullName;

    private IClickHouseStore store = null!;

    public async Task InitializeAsync() => store = await TestEngine.OpenAsync();

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        Directory.Delete(logs, recursive: true);
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("20.0.0.0/8")]
    [InlineData("198.18.0.0/15")]
    [InlineData("::ffff:20.0.0.0/104")]
    [InlineData("::/0")]
    [InlineData("2a00::/16")]
    [InlineData("2001:db8::/31")]
    public void NoConfigurationListsANetworkWiderThanTheHardFloor(string subject)
    {
        var why = new BlocklistGuard(Reckless, [], [], []).WhyNot(subject);

        Assert.NotNull(why);
        Assert.Matches(@"is wider than a /(16|32), the shortest prefix any blocklist carries, whatever blocklists\.minPrefixV[46] says\.$", why);
    }

    [Theory]
    [InlineData("198.18.0.0/16")]
    [InlineData("2001:db8::/32")]
    public void TheHardFloorItselfMayBeListedWhenConfiguredSo(string subject) =>
        Assert.Null(new BlocklistGuard(Reckless, [], [], []).WhyNot(subject));

    [Fact]
    public void AnExportDropsAWideEntryWrittenBeforeTheFloorsExisted()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        BlocklistEntry Entry(string subject) => new(subject, BlocklistActions.Listed, "old", ["analyst"], "analyst", now.AddDays(-1), now.AddDays(9), "analyst", now.AddDays(-1));

        var published = BlocklistFormats.Published([Entry("20.0.0.0/8"), Entry("203.0.113.7")], new BlocklistGuard(Reckless, [], [], []), now);

        Assert.Equal(["203.0.113.7"], published.Select(e => e.Subject));
    }

    [Fact]
    public async Task ARelaySeenInTheLogsIsNeverListedNorAnyNetworkAroundIt()
    {
        await IngestAsync();
        await FindingAsync("relay_probe", "198.51.100.25");
        await FindingAsync("dha", "198.51.100.0/24");
        await FindingAsync("dha", "203.0.113.7");

        var update = await new BlocklistUpdater(store, Reckless, new EstateSettings(), clock).UpdateAsync(Day, CancellationToken.None);

        Assert.Equal(["203.0.113.7"], update.Listed.Select(e => e.Subject));
        Assert.Equal(
            [
                ("198.51.100.0/24", "198.51.100.0/24 overlaps 198.51.100.25/32, an address of our own relays, which are never listed."),
                ("198.51.100.25", "198.51.100.25 overlaps 198.51.100.25/32, an address of our own relays, which are never listed."),
            ],
            update.Refused.OrderBy(r => r.Subject, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnAnalystCannotListARelayEither()
    {
        await IngestAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BlocklistAnalyst(store, Reckless, new EstateSettings(), clock, "analyst").ListAsync("198.51.100.25", 30, "looks odd", CancellationToken.None));

        Assert.Equal("198.51.100.25 overlaps 198.51.100.25/32, an address of our own relays, which are never listed.", error.Message);
    }

    [Fact]
    public async Task AConfiguredRelayAddressIsNeverListed()
    {
        await FindingAsync("relay_probe", "192.0.2.25");
        await FindingAsync("relay_probe", "2001:db8:77::25");
        var estate = new EstateSettings { RelayAddresses = ["192.0.2.25", "2001:db8:77::/64"] };

        var update = await new BlocklistUpdater(store, Reckless, estate, clock).UpdateAsync(Day, CancellationToken.None);

        Assert.Empty(update.Listed);
        Assert.Equal(["192.0.2.25", "2001:db8:77::25"], update.Refused.Select(r => r.Subject).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AClientCallingItselfByARelaysNameAtTheEdgeShieldsNothing()
    {
        // The relay's own log: a client whose name (its PTR, its choice) reads like our relay's.
        await IngestAsync("2026-11-24T08:00:01.000000+00:00 mx1 postfix/smtpd[2001]: connect from mx1.ours.example[203.0.113.7]\n");
        await FindingAsync("relay_probe", "203.0.113.7");

        var update = await new BlocklistUpdater(store, Reckless, new EstateSettings(), clock).UpdateAsync(Day, CancellationToken.None);

        Assert.Equal(["203.0.113.7"], update.Listed.Select(e => e.Subject));
    }

    /// <summary>
    /// Relay mx1's Postfix log and the Domino server behind it, written by us in the products' wording
    /// (data/samples/simulated has the same lines): Domino logs mx1 handing it mail from 198.51.100.25.
    /// </summary>
    private async Task IngestAsync(string moreRelayLines = "")
    {
        Directory.CreateDirectory(Path.Combine(logs, "mx1"));
        Directory.CreateDirectory(Path.Combine(logs, "domino1"));
        await File.WriteAllTextAsync(Path.Combine(logs, "mx1", "mail.log"),
            "2026-11-24T08:00:00.000000+00:00 mx1 postfix/smtpd[2000]: connect from mail-out1.partner.example[192.0.2.1]\n"
            + "2026-11-24T08:00:00.500000+00:00 mx1 postfix/smtpd[2000]: disconnect from mail-out1.partner.example[192.0.2.1] ehlo=1 quit=1 commands=2\n"
            + moreRelayLines);
        await File.WriteAllTextAsync(Path.Combine(logs, "domino1", "console.log"),
            "[004711:000318-00007F3A03180700] 24.11.2026 08:00:02   SMTP Server: mx1.ours.example (198.51.100.25) connected\n"
            + "[004711:000318-00007F3A03180700] 24.11.2026 08:00:03   SMTP Server: mx1.ours.example (198.51.100.25) disconnected. 0 message[s] received\n");
        var runner = new IngestRunner(store, new IngestOptions(), TimeProvider.System, NullLogger.Instance);
        await runner.IngestAsync([logs], CancellationToken.None);
        Assert.Equal("198.51.100.25", Assert.Single((await EstateResolver.ResolveAsync(store, new EstateSettings(), Day, CancellationToken.None)).RelayAddresses));
    }

    private Task FindingAsync(string detector, string subject) =>
        store.ExecuteAsync(
            "INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence) VALUES "
            + string.Create(CultureInfo.InvariantCulture, $"('{Day:yyyy-MM-dd}', '{detector}', '{subject}', 'high', 1, '{Day:yyyy-MM-dd} 10:00:00', '{Day:yyyy-MM-dd} 11:00:00', 30, '{{\"failures\": 30, \"sessions\": 10}}')"),
            CancellationToken.None);
}
