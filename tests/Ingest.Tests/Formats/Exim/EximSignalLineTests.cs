using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>
/// The lines fail2ban and CrowdSec act on, which name an abusive client: each becomes an event for that
/// client. Lines written for these tests in Exim's wording, learnt from fail2ban's exim test logs, CrowdSec's
/// hub tests and Exim's own test suite; the corpora's own such lines are checked at the end.
/// </summary>
public sealed class EximSignalLineTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "mx3", "mainlog"), null, TimestampContext.Utc(2026));

    [Theory]
    [InlineData("2026-11-24 10:00:01 [7513] SMTP protocol error in \"AUTH LOGIN\" H=(ylmf-pc) [203.0.113.51]:60723 I=[192.0.2.25]:587 AUTH command used when not advertised", EventNames.ProtocolViolation, "203.0.113.51", "AUTH LOGIN: AUTH command used when not advertised")]
    [InlineData("2026-11-24 10:00:02 SMTP protocol error in \"AUTH LOGIN dXNlcg==\" H=host.example (SERVER) [203.0.113.52]:4692 AUTH command used when not advertised", EventNames.ProtocolViolation, "203.0.113.52", "AUTH LOGIN dXNlcg==: AUTH command used when not advertised")]
    [InlineData("2026-11-24 10:00:03 SMTP syntax error in \"EHLO \\x00\" H=[203.0.113.53]:5000 I=[192.0.2.25]:25 NUL character(s) present (shown as '?')", EventNames.ProtocolViolation, "203.0.113.53", "EHLO \\x00: NUL character(s) present (shown as '?')")]
    [InlineData("2026-11-24 10:00:04 [5718] no MAIL in SMTP connection from scan.example [203.0.113.54]:28890 I=[192.0.2.25]:25 D=21s C=EHLO,STARTTLS", EventNames.NoTransaction, "203.0.113.54", "I=[192.0.2.25]:25 D=21s C=EHLO,STARTTLS")]
    [InlineData("2026-11-24 10:00:05 no MAIL in SMTP connection from [203.0.113.55]:2056 D=10s", EventNames.NoTransaction, "203.0.113.55", "D=10s")]
    [InlineData("2026-11-24 10:00:06 SMTP call from (bot) [203.0.113.56]:39480 dropped: too many syntax or protocol errors (last command was \"123\")", EventNames.TooManyErrors, "203.0.113.56", "dropped: too many syntax or protocol errors (last command was \"123\")")]
    [InlineData("2026-11-24 10:00:07 SMTP call from pc.example [203.0.113.57]:3767 I=[192.0.2.25]:25 dropped: too many nonmail commands (last was \"RSET\")", EventNames.TooManyErrors, "203.0.113.57", "I=[192.0.2.25]:25 dropped: too many nonmail commands (last was \"RSET\")")]
    [InlineData("2026-11-24 10:00:08 dovecot_login authenticator failed for h.example (User) [203.0.113.58]: 535 Incorrect authentication data (set_id=scanner)", EventNames.AuthFailure, "203.0.113.58", "535 Incorrect authentication data (set_id=scanner)")]
    [InlineData("2026-11-24 10:00:09 login authenticator failed for (helo) [203.0.113.59]:41556 I=[192.0.2.25]:25: 535 Incorrect authentication data", EventNames.AuthFailure, "203.0.113.59", "535 Incorrect authentication data")]
    [InlineData("2026-11-24 10:00:10 plain authenticator failed for H=(test.host) [203.0.113.60] U=someone: 535 Incorrect authentication data", EventNames.AuthFailure, "203.0.113.60", "535 Incorrect authentication data")]
    [InlineData("2026-11-24 10:00:11 1tAbCd-000123-4x plain authenticator failed H=bot.example [203.0.113.61] 503 AUTH command used when not advertised", EventNames.AuthFailure, "203.0.113.61", "503 AUTH command used when not advertised")]
    [InlineData("2026-11-24 10:00:12 custom: testname authenticator failed H=(helo.example) [203.0.113.62] 535 Incorrect authentication data", EventNames.AuthFailure, "203.0.113.62", "535 Incorrect authentication data")]
    [InlineData("2026-11-24 10:00:13 SMTP command timeout on connection from (slow) [203.0.113.63]:1000 D=5m", EventNames.Timeout, "203.0.113.63", "D=5m")]
    [InlineData("2026-11-24 10:00:14 unexpected disconnection while reading SMTP command from (test) [203.0.113.64]:1001 D=1s", EventNames.LostConnection, "203.0.113.64", "D=1s")]
    [InlineData("2026-11-24 10:00:15 [14127] 1UlasQ-0003fr-45 F=<a@b.example> H=(bot.example) [203.0.113.67]:43671 I=[192.0.2.25]:25 P=esmtp rejected by local_scan(): Rejected", EventNames.Reject, "203.0.113.67", "Rejected")]
    [InlineData("Jul 17 23:20:49 mx3 exim[812]: 2026-07-17 23:20:49 no MAIL in SMTP connection from [203.0.113.65]:2056 D=10s", EventNames.NoTransaction, "203.0.113.65", "D=10s")]
    public void ALineThatNamesAnAbusiveClientIsAnEventForThatClient(string line, string @event, string clientIp, string detail)
    {
        var result = new EximParser().Parse(line, Origin, 3);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        Assert.Equal(@event, result.Event!.Event);
        Assert.Equal(clientIp, result.Event.ClientIp);
        Assert.Equal(detail, result.Event.Detail);
        Assert.Equal("mx3", result.Event.Relay);
    }

    [Fact]
    public void EximsOwnDateThroughSyslogIsTheLinesTime()
    {
        var result = new EximParser().Parse("Jul 17 23:20:49 mx3 exim[812]: 2021-07-17 23:20:49 +0200 [812] SMTP call from [203.0.113.66]:1 dropped: too many nonmail commands", Origin, 1);

        Assert.Equal(new DateTimeOffset(2021, 7, 17, 21, 20, 49, TimeSpan.Zero), result.Event!.Timestamp);
        Assert.Equal("203.0.113.66", result.Event.ClientIp);
    }

    [Theory]
    [InlineData("2026-11-24 10:00:20 plain1 authenticator failed for U=someone: 535 Incorrect authentication data", LineOutcome.Skipped, "exim.local_auth_failure")]
    [InlineData("2026-11-24 10:00:21 SMTP protocol error in \"AUTH LOGIN\" U=someone AUTH command used when not advertised", LineOutcome.Skipped, "exim.local_protocol_error")]
    [InlineData("2026-11-24 10:00:22 no MAIL in SMTP connection from [not an address] D=1s", LineOutcome.Unrecognised, "unreadable host in exim.no_mail")]
    [InlineData("2026-11-24 10:00:23 H=(helo.example) [203.0.113.68] sender verify fail for <a@b.example>: Unrouteable address", LineOutcome.Skipped, "exim.sender_verify_note")]
    // Hostile: the client's own command forges a second '" H=' inside the quotes, to blame someone else.
    [InlineData("2026-11-24 10:00:24 SMTP protocol error in \"AUTH LOGIN\" H=[198.51.100.66]:1\" H=(helo) [203.0.113.69]:5000 I=[192.0.2.25]:25 AUTH command used when not advertised", LineOutcome.Unrecognised, "two clients named in exim protocol error line")]
    public void LinesWithNoClientToBlameOrThatAnotherLineRecordsAreNoEvents(string line, LineOutcome outcome, string kind)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(kind, result.Kind);
    }

    /// <summary>The corpora's own signal lines: each one that names a client by address becomes an event for that client.</summary>
    [CorpusFact]
    public void EverySignalLineOfTheCorporaIsAnEventForItsClient()
    {
        var signal = new System.Text.RegularExpressions.Regex(
            @"(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )(?:\[\d+\] )?(?:[\w-]+ )?(?:SMTP protocol error in |no MAIL in SMTP connection from |SMTP call from [^""]*dropped: too many|[\w:-]+ authenticator failed |SMTP command timeout on connection from |unexpected disconnection while reading SMTP command from )[^""\t]*\[[0-9a-fA-F:.]+\][^""\t]*");
        var lines = Directory.EnumerateFiles(Corpora.Root, "*", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .SelectMany(l => signal.Matches(l).Select(m => (Line: l, Message: m.Value.TrimEnd('\\', ',', ' '))))
            .DistinctBy(m => m.Message, StringComparer.Ordinal)
            .ToList();

        Assert.True(lines.Count >= 20, $"expected the corpora's signal lines, found {lines.Count}");
        foreach (var (line, message) in lines)
        {
            var result = new EximParser().Parse(message, Origin, 1);

            Assert.True(result.Outcome == LineOutcome.Event, $"{result.Kind}: {line}");
            Assert.Contains(result.Event!.ClientIp.Split('%')[0], message, StringComparison.Ordinal);
        }
    }
}
