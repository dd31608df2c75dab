using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Postfix;

/// <summary>Lines written for these tests in Postfix's wording (none copied from the corpora).</summary>
public sealed class PostfixParserTests
{
    private static readonly LineOrigin Origin = new("mail.log", null, TimestampContext.Utc(2026));

    private static PostfixParser NewParser() => new();

    [Theory]
    [InlineData(
        "Nov 28 10:00:01 mx1 postfix/smtpd[4242]: NOQUEUE: reject: RCPT from dyn-7.example.net[203.0.113.7]: 550 5.1.1 <nobody@ours.example>: Recipient address rejected: User unknown in local recipient table; from=<x@example.net> to=<nobody@ours.example> proto=ESMTP helo=<dyn-7>",
        "rcpt_reject", "203.0.113.7", "dyn-7.example.net", "dyn-7", "x@example.net", "nobody@ours.example", 550, "5.1.1", "user_unknown")]
    [InlineData(
        "Nov 28 10:00:02 mx1 postfix/smtpd[4243]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 554 5.7.1 <user%other@ours.example>: Relay access denied; from=<probe@fake.domain> to=<user%other@ours.example> proto=SMTP helo=<[198.51.100.9]>",
        "rcpt_reject", "198.51.100.9", "unknown", "[198.51.100.9]", "probe@fake.domain", "user%other@ours.example", 554, "5.7.1", "relay_denied")]
    [InlineData(
        "Nov 28 10:00:03 mx1 postfix/postscreen[77]: NOQUEUE: reject: RCPT from [2001:db8::25]:40123: 550 5.7.1 Service unavailable; client [2001:db8::25] blocked using zen.example.org; from=<a@b.example>, to=<c@ours.example>, proto=ESMTP, helo=<bot>",
        "rcpt_reject", "2001:db8::25", "", "bot", "a@b.example", "c@ours.example", 550, "5.7.1", "rbl")]
    [InlineData(
        "Nov 28 10:00:04 mx1 postfix/smtpd[4244]: NOQUEUE: reject: MAIL from unknown[192.0.2.1]: 553 5.7.1 <ceo@ours.example>: Sender address rejected: not logged in; from=<ceo@ours.example> proto=ESMTP helo=<x>",
        "reject", "192.0.2.1", "unknown", "x", "ceo@ours.example", "", 553, "5.7.1", "sender_rejected")]
    [InlineData(
        "Nov 28 10:00:05 mx1 postfix/submission/smtpd[4245]: warning: unknown[192.0.2.66]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
        "auth_failure", "192.0.2.66", "unknown", "", "", "", 0, "", "")]
    [InlineData(
        "Nov 28 10:00:06 mx1 postfix-incoming/smtpd[4246]: connect from mail.partner.example[192.0.2.10]",
        "connect", "192.0.2.10", "mail.partner.example", "", "", "", 0, "", "")]
    public void LinesBecomeEventsWithTheirFields(
        string line, string @event, string clientIp, string clientHost, string helo, string mailFrom, string rcptTo, int code, string dsn, string reason)
    {
        var result = NewParser().Parse(line, Origin, 7);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        var parsed = result.Event!;
        Assert.Equal(@event, parsed.Event);
        Assert.Equal(clientIp, parsed.ClientIp);
        Assert.Equal(clientHost, parsed.ClientHost);
        Assert.Equal(helo, parsed.Helo);
        Assert.Equal(mailFrom, parsed.MailFrom);
        Assert.Equal(rcptTo, parsed.RcptTo);
        Assert.Equal(code, parsed.SmtpCode);
        Assert.Equal(dsn, parsed.Dsn);
        Assert.Equal(reason, parsed.Reason);
        Assert.Equal("mx1", parsed.Relay);
        Assert.Equal("postfix", parsed.Source);
        Assert.Equal("mail.log", parsed.File);
        Assert.Equal(7UL, parsed.Line);
    }

    [Fact]
    public void AMessagesLinesAreCorrelatedByQueueIdAndSession()
    {
        var parser = NewParser();
        string[] lines =
        [
            "Nov 28 11:00:00 mx1 postfix/smtpd[500]: connect from mail.partner.example[192.0.2.10]",
            "Nov 28 11:00:01 mx1 postfix/smtpd[500]: 4AbCdEf: client=mail.partner.example[192.0.2.10], sasl_method=PLAIN, sasl_username=partner",
            "Nov 28 11:00:01 mx1 postfix/cleanup[501]: 4AbCdEf: message-id=<m1@partner.example>",
            "Nov 28 11:00:02 mx1 postfix/qmgr[502]: 4AbCdEf: from=<news@partner.example>, size=4321, nrcpt=1 (queue active)",
            "Nov 28 11:00:03 mx1 postfix/smtp[503]: 4AbCdEf: to=<alice@ours.example>, relay=domino1.ours.example[10.0.0.5]:2222, delay=1.2, delays=0.1/0/0.1/1, dsn=2.0.0, status=sent (250 Message accepted for delivery)",
            "Nov 28 11:00:03 mx1 postfix/qmgr[502]: 4AbCdEf: removed",
            "Nov 28 11:00:04 mx1 postfix/smtpd[500]: disconnect from mail.partner.example[192.0.2.10] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
        ];

        var events = lines.Select((line, i) => parser.Parse(line, Origin, i + 1)).Where(r => r.Outcome == LineOutcome.Event).Select(r => r.Event!).ToList();

        Assert.Equal(["connect", "message", "delivery", "disconnect"], events.Select(e => e.Event));
        var message = events[1];
        Assert.Equal("192.0.2.10", message.ClientIp);
        Assert.Equal("partner", message.SaslUser);
        Assert.Equal("m1@partner.example", message.MessageId);
        Assert.Equal("news@partner.example", message.MailFrom);
        Assert.Equal(4321UL, message.Size);
        var delivery = events[2];
        Assert.Equal("alice@ours.example", delivery.RcptTo);
        Assert.Equal("m1@partner.example", delivery.MessageId);
        Assert.Equal("news@partner.example", delivery.MailFrom);
        Assert.Equal("192.0.2.10", delivery.ClientIp);
        Assert.Equal("250 Message accepted for delivery", delivery.Detail);
        Assert.All(events, e => Assert.Equal(events[0].SessionId, e.SessionId));
        Assert.StartsWith("mx1/500/", events[0].SessionId, StringComparison.Ordinal);
        Assert.Equal(0, parser.OpenMessages);
        Assert.Equal(0, parser.OpenSessions);
    }

    /// <summary>
    /// qmgr announces a deferred message again each time it comes back from the deferred queue: one
    /// message, deferred once and delivered once.
    /// </summary>
    [Fact]
    public void AMessageBackFromTheDeferredQueueIsStillOneMessage()
    {
        var parser = NewParser();
        string[] lines =
        [
            "Nov 28 12:00:01 mx1 postfix/smtpd[600]: 5BcDeFa: client=domino1.ours.example[10.20.0.5]",
            "Nov 28 12:00:01 mx1 postfix/cleanup[601]: 5BcDeFa: message-id=<OF12.34@ours.example>",
            "Nov 28 12:00:01 mx1 postfix/qmgr[602]: 5BcDeFa: from=<alice@ours.example>, size=5120, nrcpt=1 (queue active)",
            "Nov 28 12:00:02 mx1 postfix/smtp[603]: 5BcDeFa: to=<bob@bigmail.example>, relay=mx1.bigmail.example[192.0.2.100]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=4.7.1, status=deferred (host mx1.bigmail.example[192.0.2.100] said: 451 4.7.1 Please try again later (in reply to RCPT TO command))",
            "Nov 28 12:07:02 mx1 postfix/qmgr[602]: 5BcDeFa: from=<alice@ours.example>, size=5120, nrcpt=1 (queue active)",
            "Nov 28 12:07:03 mx1 postfix/smtp[604]: 5BcDeFa: to=<bob@bigmail.example>, relay=mx1.bigmail.example[192.0.2.100]:25, delay=422, delays=421/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)",
            "Nov 28 12:07:03 mx1 postfix/qmgr[602]: 5BcDeFa: removed",
        ];

        var results = lines.Select((line, i) => parser.Parse(line, Origin, i + 1)).ToList();

        Assert.Equal(["message", "defer", "delivery"], results.Where(r => r.Outcome == LineOutcome.Event).Select(r => r.Event!.Event));
        Assert.Equal(LineOutcome.Skipped, results[4].Outcome);
        Assert.All(results.Where(r => r.Event is not null), r => Assert.Equal("OF12.34@ours.example", r.Event!.MessageId));
    }

    [Theory]
    [InlineData("Nov 28 10:00:00 mx1 postfix/smtpd[1]: Anonymous TLS connection established from x[192.0.2.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", "smtpd.tls")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/anvil[2]: statistics: max connection rate 1/60s for (smtp:192.0.2.1) at Nov 28 09:59:00", "postfix.anvil")]
    [InlineData("Nov 28 10:00:00 mx1 dovecot: imap-login: Login: user=<alice>", "other program")]
    public void RecognisedLinesWithNothingToStoreAreSkipped(string line, string kind)
    {
        var result = NewParser().Parse(line, Origin, 1);

        Assert.Equal(LineResult.Skipped(kind), result);
    }

    [Theory]
    [InlineData("this is not syslog at all", "no syslog header")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/smtpd[1]: something Postfix never says", "unknown smtpd line")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/frobnicator[1]: hello", "unknown postfix daemon")]
    public void UnrecognisedLinesSayWhy(string line, string why)
    {
        Assert.Equal(LineResult.Unrecognised(why), NewParser().Parse(line, Origin, 1));
    }
}
