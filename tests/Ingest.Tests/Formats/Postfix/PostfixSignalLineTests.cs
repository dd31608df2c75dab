using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Postfix;

/// <summary>
/// The lines fail2ban and CrowdSec act on, which name an abusive client: each becomes an event for that
/// client. Lines written for these tests in Postfix's wording, learnt from fail2ban's and CrowdSec's test
/// logs and Postfix's sources; the corpora's own such lines are checked at the end.
/// </summary>
public sealed class PostfixSignalLineTests
{
    private static readonly LineOrigin Origin = new("mail.log", null, TimestampContext.Utc(2026));

    private static readonly System.Text.RegularExpressions.Regex Address = new(@"(?:\[|address )[0-9a-fA-F:.]*[0-9a-fA-F]\]?");

    [Theory]
    [InlineData("Dec 18 02:05:46 mx1 postfix/smtpd[16349]: improper command pipelining after NOOP from unknown[203.0.113.21]", EventNames.Pipelining, "203.0.113.21", "")]
    [InlineData("Jan 12 11:07:49 mx1 postfix/smtpd[13767]: improper command pipelining after DATA from unknown[203.0.113.22]:", EventNames.Pipelining, "203.0.113.22", "")]
    [InlineData("Jan 12 11:07:49 mx1 postfix/smtpd[13767]: improper command pipelining after EHLO from bot.example[203.0.113.23]: MAIL FROM:<a@b.example>\\r\\n", EventNames.Pipelining, "203.0.113.23", "MAIL FROM:<a@b.example>\\r\\n")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/smtpd[70]: warning: Connection rate limit exceeded: 31 from unknown[203.0.113.24] for service smtp", EventNames.RateLimited, "203.0.113.24", "Connection rate")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/smtpd[70]: warning: Message delivery request rate limit exceeded: 41 from dyn.example[203.0.113.25] for service submission", EventNames.RateLimited, "203.0.113.25", "Message delivery request rate")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/smtpd[70]: warning: Connection concurrency limit exceeded: 51 from unknown[2001:db8::25] for service smtp", EventNames.RateLimited, "2001:db8::25", "Connection concurrency")]
    [InlineData("Nov 28 10:00:00 mx1 postfix/smtpd[70]: warning: Recipient address rate limit exceeded: 301 from unknown[203.0.113.26] for service smtp", EventNames.RateLimited, "203.0.113.26", "Recipient address rate")]
    [InlineData("Nov 28 10:00:01 mx1 postfix/smtpd[71]: warning: unknown[203.0.113.27]: SASL LOGIN authentication failed: ", EventNames.AuthFailure, "203.0.113.27", "")]
    [InlineData("Nov 28 10:00:01 mx1 postfix/smtpd[71]: warning: unknown[203.0.113.28]: SASL LOGIN authentication failed:", EventNames.AuthFailure, "203.0.113.28", "")]
    [InlineData("Nov 28 10:00:01 mx1 postfix/smtpd[71]: warning: unknown[203.0.113.29]: SASL login authentication failed", EventNames.AuthFailure, "203.0.113.29", "")]
    [InlineData("Nov 28 10:00:01 mx1 postfix/submission/smtpd[71]: warning: pc.example[203.0.113.30]: SASL PLAIN authentication failed: generic failure", EventNames.AuthFailure, "203.0.113.30", "generic failure")]
    [InlineData("Nov 28 10:00:01 mx1 postfix/smtpd[71]: warning: unknown[203.0.113.31]: SASL CRAM-MD5 authentication failed: bad protocol / cancel", EventNames.AuthFailure, "203.0.113.31", "bad protocol / cancel")]
    [InlineData("Nov 28 10:00:01 mx1 postfix/smtpd[71]: warning: unknown[203.0.113.32]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", EventNames.AuthFailure, "203.0.113.32", "UGFzc3dvcmQ6")]
    [InlineData("Nov 28 10:00:02 mx1 postfix/smtpd[72]: NOQUEUE: lost connection after CONNECT from unknown[203.0.113.33]", EventNames.LostConnection, "203.0.113.33", "")]
    [InlineData("Nov 28 10:00:02 mx1 postfix/smtpd[72]: lost connection after CONNECT from unknown[203.0.113.34]", EventNames.LostConnection, "203.0.113.34", "")]
    [InlineData("Nov 28 10:00:03 mx1 postfix/smtpd[73]: warning: hostname scanner.example does not resolve to address 203.0.113.35", EventNames.RdnsMismatch, "203.0.113.35", "")]
    [InlineData("Nov 28 10:00:03 mx1 postfix/smtpd[73]: warning: hostname scanner.example does not resolve to address 203.0.113.36: Name or service not known", EventNames.RdnsMismatch, "203.0.113.36", "Name or service not known")]
    [InlineData("Nov 28 10:00:03 mx1 postfix/smtpd[73]: warning: hostname scanner.example does not resolve to address 2001:db8::36: Temporary failure in name resolution", EventNames.RdnsMismatch, "2001:db8::36", "Temporary failure in name resolution")]
    [InlineData("Nov 28 10:00:03 mx1 postfix/smtpd[73]: warning: 203.0.113.37: hostname scanner.example verification failed: Name or service not known", EventNames.RdnsMismatch, "203.0.113.37", "Name or service not known")]
    [InlineData("Nov 28 10:00:03 mx1 postfix/smtpd[73]: warning: 203.0.113.38: address not listed for hostname scanner.example", EventNames.RdnsMismatch, "203.0.113.38", "")]
    [InlineData("Nov 28 10:00:04 mx1 postfix/smtpd[74]: warning: non-SMTP command from unknown[203.0.113.39]: GET / HTTP/1.1", EventNames.NonSmtp, "203.0.113.39", "GET / HTTP/1.1")]
    [InlineData("Nov 28 10:00:04 mx1 postfix/smtpd[74]: warning: Illegal address syntax from unknown[203.0.113.40] in MAIL command: <a@b@c>", EventNames.ProtocolViolation, "203.0.113.40", "MAIL command: <a@b@c>")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: PREGREET 11 after 0.1 from [203.0.113.41]:52000: EHLO bot\\r\\n", EventNames.Pregreet, "203.0.113.41", "EHLO bot\\r\\n")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: HANGUP after 2.3 from [203.0.113.42]:52001 in tests after SMTP handshake", EventNames.LostConnection, "203.0.113.42", "tests after SMTP handshake")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: COMMAND PIPELINING from [203.0.113.43]:52002 after EHLO: QUIT\\r\\n", EventNames.Pipelining, "203.0.113.43", "QUIT\\r\\n")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: DNSBL rank 3 for [203.0.113.44]:52003", EventNames.Dnsbl, "203.0.113.44", "")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: BARE NEWLINE from [203.0.113.45]:52004 after RCPT", EventNames.ProtocolViolation, "203.0.113.45", "RCPT")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: COMMAND LENGTH LIMIT from [203.0.113.46]:52005 after DATA", EventNames.ProtocolViolation, "203.0.113.46", "LENGTH")]
    [InlineData("Nov 28 10:00:05 mx1 postfix/postscreen[75]: NON-SMTP COMMAND from [203.0.113.47]:52006 after CONNECT: GET / HTTP/1.1", EventNames.NonSmtp, "203.0.113.47", "GET / HTTP/1.1")]
    public void ALineThatNamesAnAbusiveClientIsAnEventForThatClient(string line, string @event, string clientIp, string detail)
    {
        var result = new PostfixParser().Parse(line, Origin, 3);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        Assert.Equal(@event, result.Event!.Event);
        Assert.Equal(clientIp, result.Event.ClientIp);
        Assert.Equal(detail, result.Event.Detail);
        Assert.Equal("mx1", result.Event.Relay);
    }

    [Fact]
    public void TheUserAFailedLoginTriedIsKept()
    {
        var result = new PostfixParser().Parse(
            "Nov 28 10:00:01 mx1 postfix/smtpd[71]: warning: unknown[203.0.113.48]: SASL LOGIN authentication failed: (reason unavailable), sasl_username=admin@ours.example", Origin, 1);

        Assert.Equal(EventNames.AuthFailure, result.Event!.Event);
        Assert.Equal("admin@ours.example", result.Event.SaslUser);
        Assert.Equal("(reason unavailable)", result.Event.Detail);
    }

    /// <summary>Skipped means known: smtpd's warnings about its own plumbing are skipped by name; any other warning is unrecognised, so a new wording shows in the data-quality report.</summary>
    [Theory]
    [InlineData("Nov 28 10:00:06 mx1 postfix/smtpd[76]: warning: SASL authentication failure: Password verification failed", LineOutcome.Skipped, "smtpd.sasl_backend")]
    [InlineData("Nov 28 10:00:06 mx1 postfix/smtpd[76]: warning: TLS library problem: error:0A000126:SSL routines::unexpected eof while reading", LineOutcome.Skipped, "smtpd.tls_warning")]
    [InlineData("Nov 28 10:00:06 mx1 postfix/postscreen[76]: warning: dnsblog reply timeout 10s for zen.example.org", LineOutcome.Skipped, "postscreen.dnsblog_timeout")]
    [InlineData("Nov 28 10:00:06 mx1 postfix/smtpd[76]: warning: a wording no Postfix release has written yet", LineOutcome.Unrecognised, "unknown smtpd line")]
    [InlineData("Nov 28 10:00:06 mx1 postfix/postscreen[76]: warning: a wording no Postfix release has written yet", LineOutcome.Unrecognised, "unknown postscreen line")]
    [InlineData("Nov 28 10:00:06 mx1 postfix/postscreen[76]: NOQUEUE: something postscreen never said", LineOutcome.Unrecognised, "unknown postscreen line")]
    public void OnlyKnownLinesAreSkipped(string line, LineOutcome outcome, string kind)
    {
        var result = new PostfixParser().Parse(line, Origin, 1);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(kind, result.Kind);
    }

    /// <summary>
    /// The corpora's own signal lines (whole logs, parser fixtures and message bodies without a syslog
    /// header): each one that names a client becomes an event for that client.
    /// </summary>
    [CorpusFact]
    public void EverySignalLineOfTheCorporaIsAnEventForItsClient()
    {
        var signal = new System.Text.RegularExpressions.Regex(
            @"(?:improper command pipelining after \S+ from |warning: \S+\[[^\]]+\]: SASL \S+ authentication failed|lost connection after CONNECT from |warning: hostname \S+ does not resolve to address |warning: non-SMTP command from |[A-Za-z ]+ limit exceeded: \d+ from |PREGREET \d+ after |HANGUP after |COMMAND PIPELINING from |DNSBL rank \d+ for )[^""\t]*");
        var messages = Directory.EnumerateFiles(Corpora.Root, "*", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .SelectMany(l => signal.Matches(l).Select(m => (Line: l, Message: m.Value.TrimEnd('\\', ','))))
            .DistinctBy(m => m.Message, StringComparer.Ordinal)
            // Parser patterns (grok, regular expressions) name no client: only lines with an address are log lines.
            .Where(m => Address.IsMatch(m.Message) && !m.Message.Contains("%{", StringComparison.Ordinal))
            .ToList();

        Assert.True(messages.Count >= 50, $"expected the corpora's signal lines, found {messages.Count}");
        var origin = new LineOrigin("corpora", null, TimestampContext.Utc(2024));
        foreach (var (line, message) in messages)
        {
            // A warning is written by smtpd, the postscreen wordings by postscreen; the message is given its own header.
            var daemon = message.StartsWith("PREGREET", StringComparison.Ordinal) || message.StartsWith("HANGUP", StringComparison.Ordinal)
                || message.StartsWith("COMMAND", StringComparison.Ordinal) || message.StartsWith("DNSBL", StringComparison.Ordinal) ? "postscreen" : "smtpd";
            var start = message.IndexOf("warning: ", StringComparison.Ordinal) is var w and > 0 ? w : 0;
            var result = new PostfixParser().Parse($"Mar  7 02:09:33 mx1 postfix/{daemon}[1]: {message[start..]}", origin, 1);

            Assert.True(result.Outcome == LineOutcome.Event, $"{result.Kind}: {line}");
            Assert.False(string.IsNullOrEmpty(result.Event!.ClientIp), $"no client: {line}");
            Assert.Contains(result.Event.ClientIp, message, StringComparison.Ordinal);
        }
    }
}
