using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>
/// Real lines from fail2ban's Exim filter test logs (fail2ban/fail2ban, <c>fail2ban/tests/files/logs/exim</c> and
/// <c>…/exim-spam</c>; each line's <c>failJSON</c> names the client fail2ban blames), that RelayWatch missed until
/// <c>attacker-coverage</c> showed them (bench/README.md): each must give its client a row, and no other address.
/// </summary>
public sealed class EximPublicTestLogLineTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "mx3", "mainlog"), null, TimestampContext.Utc(2026));

    [Theory]
    // fail2ban tests/files/logs/exim: an ACL's "drop" closing the connection, with the HELO in brackets, a verified name alone (no HELO
    // shown, and none known without the session), and both.
    [InlineData("2016-03-21 04:07:49 [25874] 1ahr79-0006jK-G9 SMTP connection from (voyeur.webair.com) [174.137.147.204]:44884 I=[172.89.0.6]:25 closed by DROP in ACL", "174.137.147.204", "voyeur.webair.com")]
    [InlineData("2016-03-21 04:33:13 [26074] 1ahrVl-0006mY-79 SMTP connection from riveruse.com [206.214.71.53]:39865 I=[172.89.0.6]:25 closed by DROP in ACL", "206.214.71.53", "")]
    [InlineData("2016-03-27 16:48:48 [21478] 1akDqs-0005aQ-9b SMTP connection from host.example.com (SERVER) [192.0.2.1]:47714 I=[172.89.0.6]:25 closed by DROP in ACL", "192.0.2.1", "SERVER")]
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
        var connect = parser.Parse("2016-03-21 04:33:12 [26074] SMTP connection from riveruse.com [206.214.71.53]:39865 I=[172.89.0.6]:25 (TCP/IP connection count = 1)", Origin, 1);

        var drop = parser.Parse("2016-03-21 04:33:13 [26074] 1ahrVl-0006mY-79 SMTP connection from riveruse.com [206.214.71.53]:39865 I=[172.89.0.6]:25 closed by DROP in ACL", Origin, 2);

        Assert.NotEmpty(connect.Event!.SessionId);
        Assert.Equal(connect.Event.SessionId, drop.Event!.SessionId);
        Assert.Equal(0, parser.OpenSessions);
    }

    [Theory]
    // fail2ban tests/files/logs/exim-spam (fail2ban issue 533): sa-exim threw the message away.
    [InlineData("2013-12-29 15:34:12 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: etPan.09bd0c40.c3d5f675.fdf7@server.local). From <Flossiedpd@jazztel.es> (host=72.45.76.188.dynamic.jazztel.es [188.76.45.72]) for me@my.com",
        "188.76.45.72", "72.45.76.188.dynamic.jazztel.es", "Flossiedpd@jazztel.es", "me@my.com", "1VxHRO-000NiI-Ly")]
    [InlineData("2013-12-29 15:39:11 1VxHWD-000NuW-83 SA: Action: silently tossed message: score=35.8 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: 1VxHWD-000NuW-83). From <> (host=NULL [178.123.108.196]) for me@my.com",
        "178.123.108.196", "NULL", "", "me@my.com", "1VxHWD-000NuW-83")]
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
        var result = new EximParser().Parse("2013-12-30 00:24:50 1VxPit-000MMd-U4 SA: Action: flagged as Spam but accepted: score=8.2 required=5.0 (scanned in 6/6 secs | Message-Id: 008701cf04ed_24497d70_6cdc7850_@xxx.xx). From <spammer@xxx.xx> (host=ip-4.net-3-2-1.rev.xxx.xx [178.123.108.196]) for trap@example.com", Origin, 1);

        Assert.Equal((LineOutcome.Skipped, "exim.sa_accepted"), (result.Outcome, result.Kind));
    }

    /// <summary>fail2ban tests/files/logs/exim: the HELO is a bracketed address literal, which must not be taken for the client.</summary>
    [Theory]
    [InlineData("2016-03-19 18:40:44 [26221] SMTP protocol error in \"AUTH LOGIN aW5mb0BtYW5iYXQub3Jn\" H=([127.0.0.1]) [92.45.204.170]:14243 I=[172.89.0.6]:587 AUTH command used when not advertised", "92.45.204.170", "[127.0.0.1]")]
    [InlineData("2013-08-20 23:30:05 plain authenticator failed for ([192.168.2.102]) [91.218.72.71]: 535 Incorrect authentication data: 1 Time(s)", "91.218.72.71", "[192.168.2.102]")]
    [InlineData("2013-01-04 17:03:46 login authenticator failed for rrcs-24-106-174-74.se.biz.rr.com ([192.168.2.33]) [24.106.174.74]: 535 Incorrect authentication data (set_id=brian)", "24.106.174.74", "[192.168.2.33]")]
    public void AnAddressLiteralHeloIsTheHeloNotTheClient(string line, string clientIp, string helo)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((clientIp, helo), (result.Event!.ClientIp, result.Event.Helo));
    }
}
