using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>
/// The table of Exim's line kinds: a line is skipped only when its kind is known to carry nothing RelayWatch
/// stores, anything else is unrecognised with a reason; and the kinds the table added over the old
/// catch-alls. Lines written for these tests in Exim's wording (learnt from Exim's test suite and
/// fail2ban's and CrowdSec's Exim logs), none copied.
/// </summary>
public sealed class EximLineKindTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "mx3", "mainlog"), null, TimestampContext.Utc(2026));

    [Theory]
    [InlineData("2026-11-24 10:00:00 exim 4.98 daemon started: pid=812, -q30m, listening for SMTP on port 25 (IPv4)", "exim.daemon_started")]
    [InlineData("2026-11-24 10:00:00 End queue run: pid=4711", "exim.queue_run")]
    [InlineData("2026-11-24 10:00:00 no host name found for IP address 203.0.113.80", "exim.reverse_dns")]
    [InlineData("2026-11-24 10:00:00 Connection from [203.0.113.81] refused: load average = 9.50", "exim.connection_refused")]
    [InlineData("2026-11-24 10:00:00 H=(x.example) [203.0.113.82]:4000 F=<a@x.example> RCPT <b@ours.example>: discarded by RCPT ACL", "exim.rcpt_discarded")]
    [InlineData("2026-11-24 10:00:00 [203.0.113.83] SSL verify error: depth=0 error=certificate has expired cert=/CN=x", "exim.tls_verify")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 Frozen (delivery error message)", "exim.frozen")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 no immediate delivery: queued by ACL", "exim.queued")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 H=mx.far.example [198.51.100.30]: SMTP error from remote mail server after RCPT TO:<a@far.example>: 550 No such user", "exim.remote_error")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 H=mx.far.example [198.51.100.30] Connection refused", "exim.remote_error")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 SA: Action: flagged as Spam but accepted: score=8.2 required=5.0", "exim.sa_accepted")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 >> a@ours.example R=dnslookup T=remote_smtp H=mx1.ours.example [10.20.0.5]:25", "exim.cutthrough_delivery")]
    public void AKnownNoteIsSkippedByItsKind(string line, string kind)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Skipped, kind), (result.Outcome, result.Kind));
    }

    /// <summary>These were skipped by catch-alls (any line starting with <c>H=</c>, any note after a message id); a new wording now shows.</summary>
    [Theory]
    [InlineData("2026-11-24 10:00:00 H=(x.example) [203.0.113.84]:4000 something no Exim writes", "unknown exim line")]
    [InlineData("2026-11-24 10:00:00 rcpt for a@ours.example", "unknown exim line")]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 a note the configuration chose to write", "unknown exim message line")]
    [InlineData("2026-11-24 10:00:00 SMTP connection from [203.0.113.85]:4000 said something new", "unknown ending of exim.connection line")]
    public void ALineOfNoKnownKindIsUnrecognisedWithWhy(string line, string why)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Unrecognised, why), (result.Outcome, result.Kind));
    }

    [Theory]
    [InlineData("2026-11-24 10:00:00 H=(bad.example) [203.0.113.86]:4000 rejected EHLO or HELO bad.example: HELO name is ours", "exim.helo_acl_reject")]
    [InlineData("2026-11-24 10:00:00 H=[203.0.113.86]:4000 rejected VRFY postmaster@ours.example", "exim.command_reject")]
    [InlineData("2026-11-24 10:00:00 H=(bad.example) [203.0.113.86]:4000 dropped by 'connect' ACL: listed in zen.example.org", "exim.acl_drop")]
    public void AnAclRefusingAnotherCommandIsARefusalOfTheClient(string line, string kind)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Event, kind), (result.Outcome, result.Kind));
        Assert.Equal((EventNames.Reject, "203.0.113.86", (ushort)550), (result.Event!.Event, result.Event.ClientIp, result.Event.SmtpCode));
    }

    [Theory]
    [InlineData("2026-11-24 10:00:00 [812] H=(x) [203.0.113.87]:52391 I=[192.0.2.25]:25 F=a@b.example rejected RCPT c@ours.example: rejected found in dnsbl zen.example.org", EventNames.RcptReject, (ushort)550)]
    [InlineData("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 F=a@b.example H=dsl.example [203.0.113.87] I=[192.0.2.25]:25 P=esmtp temporarily rejected by local_scan(): Temporary local problem", EventNames.Reject, (ushort)450)]
    [InlineData("2026-11-24 10:00:00 [813] SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected \"RSET\" H=mx.example [203.0.113.87]:58302 I=[192.0.2.25]:25 next input=\"QUIT\\r\\n\"", EventNames.Pipelining, (ushort)0)]
    [InlineData("2026-11-24 10:00:00 [814] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[203.0.113.87]:25936 I=[192.0.2.25]:25 input=\"GET / HTTP/1.1\\r\\n\\r\\n\"", EventNames.Pipelining, (ushort)0)]
    public void TheWordingsFail2bansEximFiltersActOnAreEventsForTheClient(string line, string @event, ushort code)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        Assert.Equal((@event, "203.0.113.87", code), (result.Event!.Event, result.Event.ClientIp, result.Event.SmtpCode));
    }

    /// <summary>With <c>+incoming_interface</c> Exim writes <c>I=</c> on the close too; it was read as a new connection.</summary>
    [Fact]
    public void ACloseWithTheInterfaceFieldClosesTheSession()
    {
        var parser = new EximParser();
        var opened = parser.Parse("2026-11-24 10:00:00 SMTP connection from [203.0.113.88]:4000 I=[192.0.2.25]:25 (TCP/IP connection count = 1)", Origin, 1);
        var closed = parser.Parse("2026-11-24 10:00:05 SMTP connection from [203.0.113.88]:4000 I=[192.0.2.25]:25 closed by QUIT", Origin, 2);

        Assert.Equal((EventNames.Connect, EventNames.Disconnect), (opened.Event!.Event, closed.Event!.Event));
        Assert.Equal(opened.Event.SessionId, closed.Event.SessionId);
        Assert.Equal(0, parser.OpenSessions);
    }

    /// <summary>With <c>+queue_time_overall</c> Exim writes <c>Completed QT=…</c>; the message's state must go all the same.</summary>
    [Fact]
    public void CompletedWithTheQueueTimeEndsTheMessage()
    {
        var parser = new EximParser();
        parser.Parse("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 <= a@partner.example H=mx.partner.example [192.0.2.10]:40000 P=esmtp S=100", Origin, 1);

        var completed = parser.Parse("2026-11-24 10:00:01 1vAbCd-000000001Xy-0042 Completed QT=1s", Origin, 2);

        Assert.Equal((LineOutcome.Skipped, "exim.completed"), (completed.Outcome, completed.Kind));
        Assert.Equal(0, parser.OpenMessages);
    }

    /// <summary>A quoted local part may hold spaces; it is one sender, and the message's later lines carry it whole.</summary>
    [Fact]
    public void AQuotedSenderWithSpacesIsReadWhole()
    {
        var parser = new EximParser();
        var arrival = parser.Parse("2026-11-24 10:00:00 1vAbCd-000000001Xy-0042 <= \"name with spaces\"@partner.example H=(x) [192.0.2.10]:40000 P=esmtp S=100", Origin, 1);
        var delivery = parser.Parse("2026-11-24 10:00:01 1vAbCd-000000001Xy-0042 => a@ours.example R=domino T=remote_smtp H=domino1.ours.example [10.20.0.5]:2222", Origin, 2);

        Assert.Equal("\"name with spaces\"@partner.example", arrival.Event!.MailFrom);
        Assert.Equal("\"name with spaces\"@partner.example", delivery.Event!.MailFrom);
        Assert.Equal("192.0.2.10", arrival.Event.ClientIp);
    }

    [Fact]
    public void EveryKindIsNamedAndEveryTemplateCompiles()
    {
        var kinds = EximLineKinds.ConnectionKinds.Concat(EximLineKinds.MessageKinds).ToList();

        Assert.All(kinds, k => Assert.StartsWith("exim.", k.Name, StringComparison.Ordinal));
        Assert.All(kinds.Where(k => k.Tails is not null), k => Assert.EndsWith("{client}", k.Kind.Template.Text, StringComparison.Ordinal));
    }
}
