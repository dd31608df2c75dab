using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>
/// Lines in the wording of fail2ban's Exim filter test logs, written by us (addresses, names and dates are ours; fail2ban/fail2ban, <c>fail2ban/tests/files/logs/exim</c> and
/// <c>…/exim-spam</c>; each line's <c>failJSON</c> names the client fail2ban blames) — wordings RelayWatch missed until
/// <c>attacker-coverage</c> showed them (bench/README.md): each must give its client a row, and no other address.
/// </summary>
public sealed class EximPublicTestLogLineTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "mx3", "mainlog"), null, TimestampContext.Utc(2026));

    [Theory]
    // As in fail2ban tests/files/logs/exim: an ACL's "drop" closing the connection, with the HELO in brackets, a verified name alone (no HELO
    // shown, and none known without the session), and both.
    [InlineData("2026-03-21 04:07:49 [25874] 1ahr79-0006jK-G9 SMTP connection from (relay7.mailer.example) [198.51.100.204]:44884 I=[192.0.2.25]:25 closed by DROP in ACL", "198.51.100.204", "relay7.mailer.example")]
    [InlineData("2026-03-21 04:33:13 [26074] 1ahrVl-0006mY-79 SMTP connection from probe.example.net [198.51.100.53]:39865 I=[192.0.2.25]:25 closed by DROP in ACL", "198.51.100.53", "")]
    [InlineData("2026-03-27 16:48:48 [21478] 1akDqs-0005aQ-9b SMTP connection from host.example.com (SERVER) [192.0.2.1]:47714 I=[192.0.2.25]:25 closed by DROP in ACL", "192.0.2.1", "SERVER")]
    public void AConnectionClosedByAnAclDropIsARefusalOfItsClient(string line, string clientIp, string helo)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Event, "exim.acl_drop"), (result.Outcome, result.Kind));
        Assert.Equal((EventNames.Reject, clientIp, helo), (result.Event!.Event, result.Event.ClientIp, result.Event.Helo));
    }

    [Fact]
    public void TheDropEndsTheSessionItsConnectOpened()
    {
        var parser = new EximParser();
        var connect = parser.Parse("2026-03-21 04:33:12 [26074] SMTP connection from probe.example.net [198.51.100.53]:39865 I=[192.0.2.25]:25 (TCP/IP connection count = 1)", Origin, 1);

        var drop = parser.Parse("2026-03-21 04:33:13 [26074] 1ahrVl-0006mY-79 SMTP connection from probe.example.net [198.51.100.53]:39865 I=[192.0.2.25]:25 closed by DROP in ACL", Origin, 2);

        Assert.NotEmpty(connect.Event!.SessionId);
        Assert.Equal(connect.Event.SessionId, drop.Event!.SessionId);
        Assert.Equal(0, parser.OpenSessions);
    }

    [Theory]
    // fail2ban tests/files/logs/exim-spam (fail2ban issue 533): sa-exim threw the message away.
    [InlineData("2025-12-29 15:34:12 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: etPan.5f1e2d3c.1a2b3c4d.77aa@desk.local). From <winner@lottery.example> (host=72.76.51.198.dyn.isp.example [198.51.100.72]) for me@ours.example",
        "198.51.100.72", "72.76.51.198.dyn.isp.example", "winner@lottery.example", "me@ours.example", "1VxHRO-000NiI-Ly")]
    [InlineData("2025-12-29 15:39:11 1VxHWD-000NuW-83 SA: Action: silently tossed message: score=35.8 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: 1VxHWD-000NuW-83). From <> (host=NULL [203.0.113.196]) for me@ours.example",
        "203.0.113.196", "NULL", "", "me@ours.example", "1VxHWD-000NuW-83")]
    public void AMessageSaEximTossedIsARefusalOfItsClient(string line, string clientIp, string clientHost, string mailFrom, string rcptTo, string queueId)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Event, "exim.sa_tossed"), (result.Outcome, result.Kind));
        var e = result.Event!;
        Assert.Equal((EventNames.Reject, clientIp, clientHost), (e.Event, e.ClientIp, e.ClientHost));
        Assert.Equal((mailFrom, rcptTo, queueId), (e.MailFrom, e.RcptTo, e.QueueId));
        Assert.StartsWith("silently tossed message: score=", e.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// fail2ban tests/files/logs/exim-spam (fail2ban issue 541): a message sa-exim flagged and let through. Its arrival
    /// line (<c>&lt;= … H=… [ip]</c>), logged after local_scan() accepts it, is the client's row; this one is skipped by name.
    /// </summary>
    [Fact]
    public void ASpamVerdictOnAnAcceptedMessageIsLeftToItsArrivalLine()
    {
        var result = new EximParser().Parse("2025-12-30 00:24:50 1VxPit-000MMd-U4 SA: Action: flagged as Spam but accepted: score=8.2 required=5.0 (scanned in 6/6 secs | Message-Id: 0087aa01_beef_@junk.example). From <spammer@junk.example> (host=ip-4.rev.junk.example [203.0.113.196]) for trap@example.com", Origin, 1);

        Assert.Equal((LineOutcome.Skipped, "exim.sa_accepted"), (result.Outcome, result.Kind));
    }

    /// <summary>fail2ban tests/files/logs/exim: the HELO is a bracketed address literal, which must not be taken for the client.</summary>
    [Theory]
    [InlineData("2026-03-19 18:40:44 [26221] SMTP protocol error in \"AUTH LOGIN aW5mb0BvdXJzLmV4YW1wbGU=\" H=([127.0.0.1]) [198.51.100.170]:14243 I=[192.0.2.25]:587 AUTH command used when not advertised", "198.51.100.170", "[127.0.0.1]")]
    [InlineData("2025-08-20 23:30:05 plain authenticator failed for ([192.168.2.102]) [203.0.113.71]: 535 Incorrect authentication data: 1 Time(s)", "203.0.113.71", "[192.168.2.102]")]
    [InlineData("2025-01-04 17:03:46 login authenticator failed for cust-74.biz.isp.example ([192.168.2.33]) [198.51.100.74]: 535 Incorrect authentication data (set_id=carol)", "198.51.100.74", "[192.168.2.33]")]
    public void AnAddressLiteralHeloIsTheHeloNotTheClient(string line, string clientIp, string helo)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((clientIp, helo), (result.Event!.ClientIp, result.Event.Helo));
    }
}
