using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>Lines written for these tests in Exim's wording (none copied from the corpora).</summary>
public sealed class EximParserTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "mx3", "mainlog"), null, TimestampContext.Utc(2026));

    [Theory]
    [InlineData(
        "2026-11-24 10:00:01 H=dyn-7.example.net (dyn-7) [203.0.113.7]:40211 F=<x@example.net> rejected RCPT <nobody@ours.example>: Unrouteable address",
        "rcpt_reject", "203.0.113.7", "dyn-7.example.net", "dyn-7", "x@example.net", "nobody@ours.example", 550, "user_unknown")]
    [InlineData(
        "2026-11-24 10:00:02 H=(fake.domain) [198.51.100.9]:5000 F=<probe@fake.domain> rejected RCPT <user%other@ours.example>: relay not permitted",
        "rcpt_reject", "198.51.100.9", "unknown", "fake.domain", "probe@fake.domain", "user%other@ours.example", 550, "relay_denied")]
    [InlineData(
        "2026-11-24 10:00:03.250 +0100 [4242] H=[2001:db8::25]:40123 F=<a@b.example> rejected RCPT <c@ours.example>: 2001:db8::25 is listed in zen.example.org, blocked using zen.example.org",
        "rcpt_reject", "2001:db8::25", "unknown", "", "a@b.example", "c@ours.example", 550, "rbl")]
    [InlineData(
        "2026-11-24 10:00:04 H=mail.example.org [192.0.2.1]:25001 rejected MAIL <ceo@ours.example>: Sender address rejected: not logged in",
        "reject", "192.0.2.1", "mail.example.org", "mail.example.org", "ceo@ours.example", "", 550, "sender_rejected")]
    [InlineData(
        "2026-11-24 10:00:05 H=bad.example [192.0.2.66]:1234 temporarily rejected connection in \"connect\" ACL: \"too many connections\"",
        "reject", "192.0.2.66", "bad.example", "", "", "", 450, "other")]
    [InlineData(
        "2026-11-24 10:00:06 login authenticator failed for (User) [192.0.2.70]:33000: 535 Incorrect authentication data (set_id=admin)",
        "auth_failure", "192.0.2.70", "unknown", "User", "", "", 535, "")]
    [InlineData(
        "2026-11-24 10:00:07 SMTP connection from mail.partner.example [192.0.2.10]:40000 (TCP/IP connection count = 3)",
        "connect", "192.0.2.10", "mail.partner.example", "", "", "", 0, "")]
    [InlineData(
        "Nov 24 10:00:08 mx3 exim[77]: H=dyn-8.example.net [203.0.113.8]:5555 F=<y@example.net> rejected RCPT <ghost@ours.example>: No Such User Here",
        "rcpt_reject", "203.0.113.8", "dyn-8.example.net", "dyn-8.example.net", "y@example.net", "ghost@ours.example", 550, "user_unknown")]
    [InlineData(
        "2026-11-24 10:00:09.120 [4243] H=[198.19.7.1]:41000 Warning: 198.19.7.1 is in zen.example.org",
        "dnsbl", "198.19.7.1", "unknown", "", "", "", 0, "")]
    [InlineData(
        "2026-11-24 10:00:10 H=(helo.example) [198.19.7.2]:41001 Warning: found in rbl.example.org: listed for spam",
        "dnsbl", "198.19.7.2", "unknown", "helo.example", "", "", 0, "")]
    public void LinesBecomeEventsWithTheirFields(
        string line, string @event, string clientIp, string clientHost, string helo, string mailFrom, string rcptTo, int code, string reason)
    {
        var result = new EximParser().Parse(line, Origin, 7);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        var parsed = result.Event!;
        Assert.Equal(@event, parsed.Event);
        Assert.Equal(clientIp, parsed.ClientIp);
        Assert.Equal(clientHost, parsed.ClientHost);
        Assert.Equal(helo, parsed.Helo);
        Assert.Equal(mailFrom, parsed.MailFrom);
        Assert.Equal(rcptTo, parsed.RcptTo);
        Assert.Equal(code, parsed.SmtpCode);
        Assert.Equal(reason, parsed.Reason);
        Assert.Equal("mx3", parsed.Relay);
        Assert.Equal("exim", parsed.Source);
        Assert.Equal(7UL, parsed.Line);
    }

    [Fact]
    public void TheTimeComesFromTheStampWithItsZoneOrTheLocalZone()
    {
        var zoned = new EximParser().Parse("2026-11-24 10:00:03.250 +0100 [4242] SMTP connection from [192.0.2.1]:1 (TCP/IP connection count = 1)", Origin, 1);
        var local = new EximParser().Parse("2026-11-24 10:00:03 SMTP connection from [192.0.2.1]:2 (TCP/IP connection count = 1)",
            Origin with { Timestamps = new TimestampContext(2026, 12, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")) }, 1);

        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 3, 250, TimeSpan.Zero), zoned.Event!.Timestamp);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 3, TimeSpan.Zero), local.Event!.Timestamp);
    }

    [Fact]
    public void AMessagesLinesShareWhatItsArrivalSaidAndItsSession()
    {
        var parser = new EximParser();
        string[] lines =
        [
            "2026-11-24 10:00:00 SMTP connection from mail.partner.example (helo.partner.example) [192.0.2.10]:40000 I=[10.1.0.25]:25 (TCP/IP connection count = 1)",
            "2026-11-24 10:00:01 1vAbCd-000000001Xy-0042 <= orders@partner.example H=mail.partner.example (helo.partner.example) [192.0.2.10]:40000 I=[10.1.0.25]:25 P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no K S=2345 id=20261124.123@partner.example",
            "2026-11-24 10:00:02 1vAbCd-000000001Xy-0042 => alice.smith@ours.example R=domino T=remote_smtp H=domino1.ours.example [10.20.0.5]:2222 C=\"250 2.6.0 Message accepted\"",
            "2026-11-24 10:00:02 1vAbCd-000000001Xy-0042 -> bob.jones@ours.example R=domino T=remote_smtp H=domino1.ours.example [10.20.0.5]:2222 C=\"250 2.6.0 Message accepted\"",
            "2026-11-24 10:00:03 1vAbCd-000000001Xy-0042 ** carol@ours.example R=domino T=remote_smtp H=domino1.ours.example [10.20.0.5]:2222: SMTP error from remote mail server after RCPT TO:<carol@ours.example>: 550 5.1.1 User unknown",
            "2026-11-24 10:00:03 1vAbCd-000000001Xy-0042 Completed",
            "2026-11-24 10:00:04 SMTP connection from mail.partner.example (helo.partner.example) [192.0.2.10]:40000 closed by QUIT",
        ];

        var events = lines.Select((l, i) => parser.Parse(l, Origin, i + 1)).ToList();

        Assert.Equal(
            ["connect", "message", "delivery", "delivery", "bounce", null, "disconnect"],
            events.Select(e => e.Event?.Event));
        var stored = events.Select(e => e.Event).OfType<Ingest.Events.SmtpEvent>().ToList();
        Assert.Single(stored.Select(e => e.SessionId).Distinct());
        Assert.NotEqual(string.Empty, stored[0].SessionId);
        Assert.All(stored, e => Assert.Equal("192.0.2.10", e.ClientIp));
        Assert.All(stored, e => Assert.Equal("helo.partner.example", e.Helo));
        Assert.All(stored.Skip(1).SkipLast(1), e => Assert.Equal("orders@partner.example", e.MailFrom));
        Assert.All(stored.Skip(1).SkipLast(1), e => Assert.Equal("20261124.123@partner.example", e.MessageId));
        Assert.Equal(2345UL, stored[1].Size);
        Assert.Equal("domino1.ours.example[10.20.0.5]:2222", stored[2].NextHop);
        Assert.Equal("250 2.6.0 Message accepted", stored[2].Detail);
        Assert.Equal("carol@ours.example", stored[4].RcptTo);
        Assert.Equal((ushort)550, stored[4].SmtpCode);
        Assert.Equal("user_unknown", stored[4].Reason);
        Assert.Equal(0, parser.OpenMessages);
        Assert.Equal(0, parser.OpenSessions);
    }

    [Fact]
    public void ABounceEximMakesIsANotificationOfTheMessageThatCausedIt()
    {
        var parser = new EximParser();
        parser.Parse("2026-11-24 11:00:00 1vAbCe-000000002Ab-0001 <= spam@forged.example H=(x) [198.51.100.20]:999 P=esmtp S=900", Origin, 1);

        var ndr = parser.Parse("2026-11-24 11:00:05 1vAbCf-000000003Cd-0002 <= <> R=1vAbCe-000000002Ab-0001 U=Debian-exim P=local S=1900", Origin, 2);

        Assert.Equal("ndr_sent", ndr.Event!.Event);
        Assert.Equal("198.51.100.20", ndr.Event.ClientIp);
        Assert.Equal("1vAbCf-000000003Cd-0002", ndr.Event.Detail);
    }

    [Theory]
    [InlineData("2026-11-24 10:00:00 Start queue run: pid=1234")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 *> x@y.example R=r T=t")]
    [InlineData("Nov 24 10:00:00 mx3 dovecot[5]: imap-login: Login: user=<a>")]
    [InlineData("2026-11-24 10:00:00 H=(x.example) [192.0.2.8]:4000 Warning: This warning is from a HELO ACL (command ehlo x.example)")]
    public void LinesOfNoInterestAreSkippedNotUnrecognised(string line) =>
        Assert.Equal(LineOutcome.Skipped, new EximParser().Parse(line, Origin, 1).Outcome);

    [Theory]
    [InlineData("", "no exim or syslog timestamp")]
    [InlineData("2026-13-45 99:00:00 SMTP connection from [192.0.2.1]:1", "impossible exim timestamp")]
    [InlineData("2026-11-24 10:00:00 something Exim never writes", "unknown exim line")]
    [InlineData("2026-11-24 10:00:00 SMTP connection from [192.0.2.1", "unreadable host in exim connection line")]
    public void AnUnknownOrBrokenLineIsUnrecognisedWithWhy(string line, string why)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal(LineOutcome.Unrecognised, result.Outcome);
        Assert.Equal(why, result.Kind);
    }
}
