using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Domino;

/// <summary>Lines written for these tests in the shapes Domino writes (none copied from third parties).</summary>
public sealed class DominoParserTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "domino1", "console.log"), null, TimestampContext.Utc(2026));

    [Theory]
    // Linux console: [pid:tid-native] before a day-first dotted date.
    [InlineData("[001234:000021-00007F0000000700] 24.11.2026 08:14:02   SMTP Server: 192.0.2.10 connected", "2026-11-24T08:14:02")]
    // Windows console: the thread after the stamp, day-first with slashes (proven by the 24).
    [InlineData("24/11/2026 18:04:33 [0A44:000F-080C] SMTP Server: 192.0.2.10 connected", "2026-11-24T18:04:33")]
    // No thread, a 12-hour clock, month-first.
    [InlineData("11/24/2026 01:37:38 PM  SMTP Server: 192.0.2.10 connected", "2026-11-24T13:37:38")]
    [InlineData("11/24/2026 12:05:00 AM  SMTP Server: 192.0.2.10 connected", "2026-11-24T00:05:00")]
    // Year first with dashes.
    [InlineData("[23671:00010-2690815744] 2026-11-24 15:54:23   SMTP Server: 192.0.2.10 connected", "2026-11-24T15:54:23")]
    // Hundredths of a second are read and dropped.
    [InlineData("24.11.2026 08:14:02,57   SMTP Server: 192.0.2.10 connected", "2026-11-24T08:14:02")]
    public void EveryPrefixVariantGivesTheStamp(string line, string expected)
    {
        var result = new DominoParser().Parse(line, Origin, 1);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        Assert.Equal(DateTimeOffset.Parse(expected + "Z", System.Globalization.CultureInfo.InvariantCulture), result.Event!.Timestamp);
        Assert.Equal("192.0.2.10", result.Event.ClientIp);
    }

    [Theory]
    [InlineData("[001234:000023-7F00] 24.11.2026 09:02:12   SMTP Server: Authentication failed for user admin ; connecting host 198.51.100.77",
        "auth_failure", "198.51.100.77", "admin", "", "")]
    [InlineData("[001234:000023-7F00] 24.11.2026 09:02:13   SMTP Server: Authentication failed for webmaster ; connecting host 198.51.100.77",
        "auth_failure", "198.51.100.77", "webmaster", "", "")]
    [InlineData("[001234:000023-7F00] 24.11.2026 09:02:16   smtp: sales@ours.example [198.51.100.77] authentication failure using internet password: User is locked out",
        "auth_failure", "198.51.100.77", "sales@ours.example", "", "")]
    [InlineData("[001234:000023-7F00] 24.11.2026 09:02:17   smtp: IP Address [2001:db8::77] authentication failure using internet password",
        "auth_failure", "2001:db8::77", "", "", "")]
    [InlineData("24.11.2026 09:30:40   SMTP Server [1D44:0658-0C6C] Connection from [203.0.113.200] rejected for policy reasons. IP address of connecting host not found in reverse DNS lookup.",
        "reject", "203.0.113.200", "", "client_rejected", "")]
    [InlineData("24.11.2026 09:31:05   SMTP Server: Connection from [192.0.2.66] rejected for policy reasons. IP address of connecting host found in DNS Blacklist at zen.example.org",
        "reject", "192.0.2.66", "", "rbl", "")]
    [InlineData("24.11.2026 09:31:06   SMTP Server: Connection from [192.0.2.67] rejected for policy reasons.",
        "reject", "192.0.2.67", "", "policy", "")]
    [InlineData("24.11.2026 09:31:07   SMTP Server [1D44:0659-0C6D] Authentication failed for user sales ; connecting host 192.0.2.68",
        "auth_failure", "192.0.2.68", "sales", "", "")]
    [InlineData("[28325:00010-3735542592] 24.11.2026 09:31:08   smtp: postmaster [192.0.2.69] authentication failure using internet password",
        "auth_failure", "192.0.2.69", "postmaster", "", "")]
    [InlineData("24.11.2026 10:05:10   SMTP Server: Message rejected. Authenticated user bob from host 10.30.4.17 sending mail from <ceo@ours.example> failed to match directory address bob@ours.example",
        "reject", "10.30.4.17", "bob", "sender_rejected", "")]
    [InlineData("24.11.2026 14:22:40   SMTP Server: 203.0.113.45 found in DNS Blacklist at bl.example.org",
        "dnsbl", "203.0.113.45", "", "rbl", "")]
    [InlineData("24.11.2026 14:22:41   SMTP Server: Relay rejected for policy reasons. Relaying from 203.0.113.45 to <victim@elsewhere.example> is not permitted",
        "rcpt_reject", "203.0.113.45", "", "relay_denied", "victim@elsewhere.example")]
    [InlineData("24.11.2026 14:22:42   SMTP Server: Recipient <ghost@ours.example> rejected for mx1.ours.example (10.20.0.11): 550 5.1.1 <ghost@ours.example>... User unknown",
        "rcpt_reject", "10.20.0.11", "", "user_unknown", "ghost@ours.example")]
    public void ListenerLinesBecomeEventsWithTheirFields(string line, string @event, string clientIp, string user, string reason, string rcptTo)
    {
        var result = new DominoParser().Parse(line, Origin, 3);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        var e = result.Event!;
        Assert.Equal((@event, clientIp, user, reason, rcptTo), (e.Event, e.ClientIp, e.SaslUser, e.Reason, e.RcptTo));
        Assert.Equal(("domino", "domino1", 3UL), (e.Source, e.Relay, e.Line));
    }

    /// <summary>Some Domino versions end the listener's line at "received": the message is the session's client's.</summary>
    [Fact]
    public void AMessageReceivedWithoutItsClientIsTheSessionsClients()
    {
        var parser = new DominoParser();
        parser.Parse("[001234:000040-7F01] 24.11.2026 08:14:02   SMTP Server: mail.partner.example (198.51.100.40) connected", Origin, 1);

        var received = parser.Parse("[001234:000040-7F01] 24.11.2026 08:14:03   SMTP Server: Message 0003A1F4 (MessageID: <m4@partner.example>) received", Origin, 2);
        var orphan = parser.Parse("[001234:000041-7F01] 24.11.2026 08:14:04   SMTP Server: Message 0003A1F5 (MessageID: <m5@partner.example>) received", Origin, 3);

        Assert.Equal(("domino.message", "message", "198.51.100.40", "mail.partner.example", "m4@partner.example"),
            (received.Kind, received.Event!.Event, received.Event.ClientIp, received.Event.ClientHost, received.Event.MessageId));
        Assert.Equal((LineOutcome.Unrecognised, "no client for a domino message-received line (no session names one)"), (orphan.Outcome, orphan.Kind));
    }

    [Fact]
    public void AConnectionsLinesShareItsThreadAndTheRouterLinesShareTheMessage()
    {
        var parser = new DominoParser();
        string[] lines =
        [
            "[001234:000021-7F01] 24.11.2026 08:14:02   SMTP Server: mx1.ours.example (10.20.0.11) connected",
            "[001234:000022-7F02] 24.11.2026 08:14:02   SMTP Server: mx2.ours.example (10.20.1.11) connected",
            "[001234:000021-7F01] 24.11.2026 08:14:02   SMTP Server: Originator: <orders@partner.example>",
            "[001234:000022-7F02] 24.11.2026 08:14:02   SMTP Server: Originator: <news@letters.example>",
            "[001234:000021-7F01] 24.11.2026 08:14:03   SMTP Server: Message 0003A1F2 (MessageID: <m1@partner.example>) received from 10.20.0.11 size 18342 bytes",
            "[001234:000021-7F01] 24.11.2026 08:14:03   SMTP Server: mx1.ours.example (10.20.0.11) disconnected. 1 message[s] received",
            "[001234:00001A-7F03] 24.11.2026 08:14:04   Router: Message 0003A1F2 delivered to Alice Smith/Ours from orders@partner.example OID: C1258D2A:0036F1B4 Size: 18K Time: 00:00:01 Hop Count: 1",
        ];

        var events = lines.Select((l, i) => parser.Parse(l, Origin, i + 1)).Where(r => r.Event is not null).Select(r => r.Event!).ToList();

        var first = events[0];
        var message = events.Single(e => e.Event == "message");
        var delivery = events.Single(e => e.Event == "delivery");
        Assert.Equal(first.SessionId, message.SessionId);
        Assert.NotEqual(events[1].SessionId, first.SessionId);
        Assert.Equal(("orders@partner.example", "m1@partner.example", "0003A1F2", 18342UL), (message.MailFrom, message.MessageId, message.QueueId, message.Size));
        Assert.Equal((first.SessionId, "m1@partner.example", "10.20.0.11", "mx1.ours.example"), (delivery.SessionId, delivery.MessageId, delivery.ClientIp, delivery.ClientHost));
        Assert.Equal(("Alice Smith/Ours", "mailbox", 18342UL), (delivery.RcptTo, delivery.NextHop, delivery.Size));
        Assert.Equal(0, parser.OpenMessages - 1);
        Assert.Equal(1, parser.OpenSessions);
    }

    [Fact]
    public void WithoutThreadsSessionsAreKeyedByTheClientsAddress()
    {
        var parser = new DominoParser();
        var connect = parser.Parse("18/02/2026 09:52:07   SMTP Server: 192.0.2.1 connected", Origin, 1).Event!;
        var received = parser.Parse("18/02/2026 09:52:07   SMTP Server: Message 00364B87 (MessageID: <a@b.example>) received from 192.0.2.1 size 2320 bytes", Origin, 2).Event!;
        var gone = parser.Parse("18/02/2026 09:52:08   SMTP Server: 192.0.2.1 disconnected. 1 message[s] received", Origin, 3).Event!;

        Assert.NotEqual(string.Empty, connect.SessionId);
        Assert.Equal(connect.SessionId, received.SessionId);
        Assert.Equal((connect.SessionId, "1 message[s] received"), (gone.SessionId, gone.Detail));
        Assert.Equal(0, parser.OpenSessions);
    }

    [Theory]
    [InlineData("24.11.2026 11:42:50   Router: Message 0003A2B0 transferred to mx1.ours.example for dave@example.net from Bob Jones/Ours OID: C1258D2A:0036F3D0 Size: 4K via SMTP",
        "delivery", "dave@example.net", "Bob Jones/Ours", "mx1.ours.example", 4096UL, "")]
    [InlineData("24.11.2026 11:42:51   Router: Message 0003A2B1, 0003A2B2 transferred to HUB1/Ours for Erin Hill/Ours from carol@example.net Size: 2K via Notes",
        "delivery", "Erin Hill/Ours", "carol@example.net", "HUB1/Ours", 2048UL, "")]
    [InlineData("24.11.2026 12:15:03   Router: Message 0003A2C4 NOT transferred via SMTP to mx2.ours.example for erin@example.org from Erin Brown/Ours Size: 12K Error transferring to mx2.ours.example; Unable to connect",
        "defer", "erin@example.org", "Erin Brown/Ours", "mx2.ours.example", 12288UL, "other")]
    [InlineData("24.11.2026 11:42:52   Router: Message 0003A2B3 delivered to Carol Clark/Ours from <> OID: C1258D2A:0036F3D1 Size: 3K Time: 00:00:01 Hop Count: 1",
        "delivery", "Carol Clark/Ours", "", "mailbox", 3072UL, "")]
    [InlineData("24.11.2026 12:40:18   Router: Unable to deliver message 0003A2D1 to frank@ours.example: User frank@ours.example not listed in Domino Directory",
        "bounce", "frank@ours.example", "", "", 0UL, "user_unknown")]
    public void RouterLinesBecomeDeliveriesDefersAndBounces(string line, string @event, string rcptTo, string mailFrom, string nextHop, ulong size, string reason)
    {
        var e = new DominoParser().Parse(line, Origin, 1).Event!;

        Assert.Equal((@event, rcptTo, mailFrom, nextHop, size, reason), (e.Event, e.RcptTo, e.MailFrom, e.NextHop, e.Size, e.Reason));
    }

    [Theory]
    [InlineData("24.11.2026 06:10:12   AMgr: Start executing agent 'Purge' in 'mail/asmith.nsf'", "domino.other_task")]
    [InlineData("24.11.2026 06:10:13   http: admin@ours.example [10.30.4.20] authentication failure using internet password", "domino.other_task")]
    [InlineData("24.11.2026 06:10:14   Router: Transferring mail to domain example.net (host mx1.ours.example) via SMTP", "domino.router_note")]
    [InlineData("24.11.2026 06:10:15   SMTPClient: Connecting to mx1.ours.example", "domino.smtp_client")]
    [InlineData("24.11.2026 06:10:16   SMTP Server: Recipient: <alice@ours.example>", "domino.recipient")]
    [InlineData("   ", "blank line")]
    public void LinesOfOtherTasksAndNotesAreSkipped(string line, string kind)
    {
        var result = new DominoParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Skipped, kind), (result.Outcome, result.Kind));
    }

    /// <summary>Skipped means known: the mail tasks' own notes are skipped by kind; any other line of theirs says it is unknown.</summary>
    [Theory]
    [InlineData("24.11.2026 08:00:00   SMTP Server: a wording no release of ours writes, about 192.0.2.5", LineOutcome.Unrecognised, "unknown domino smtp server line")]
    [InlineData("24.11.2026 08:00:00   Router: a wording no release of ours writes", LineOutcome.Unrecognised, "unknown domino router line")]
    [InlineData("24.11.2026 08:00:00   smtp: a wording no release of ours writes", LineOutcome.Unrecognised, "unknown domino smtp line")]
    [InlineData("24.11.2026 08:00:00   SMTP Server: Started", LineOutcome.Skipped, "domino.smtp_started")]
    [InlineData("24.11.2026 08:00:00   Router: No messages transferred to example.org (host mx2.ours.example) via SMTP: Unable to connect", LineOutcome.Skipped, "domino.router_note")]
    public void OnlyTheMailTasksKnownNotesAreSkippedAndAnyOtherLineIsUnrecognised(string line, LineOutcome outcome, string kind)
    {
        var result = new DominoParser().Parse(line, Origin, 1);

        Assert.Equal((outcome, kind), (result.Outcome, result.Kind));
    }

    [Theory]
    [InlineData("[001234:000021-7F01] connection table full")]
    [InlineData("31.02.2026 08:14:02   SMTP Server: 192.0.2.10 connected")]
    [InlineData("24.11.2026 08:14:02   SMTP Server: not-an-address connected")]
    [InlineData("24.11.2026 08:14:02   SMTP Server: Message 0003 (MessageID: <x>) received from nowhere")]
    public void BrokenLinesAreUnrecognisedNotThrown(string line)
    {
        Assert.Equal(LineOutcome.Unrecognised, new DominoParser().Parse(line, Origin, 1).Outcome);
    }

    [Theory]
    [InlineData(new[] { "24.11.2026 08:00:00   x" }, DateOrder.DayMonthYear, true)]
    [InlineData(new[] { "05.11.2026 08:00:00   x", "24.11.2026 08:00:00   x" }, DateOrder.DayMonthYear, true)]
    [InlineData(new[] { "11/24/2026 08:00:00 AM  x" }, DateOrder.MonthDayYear, true)]
    [InlineData(new[] { "[1:2-3] 2026-11-05 08:00:00   x" }, DateOrder.YearMonthDay, true)]
    [InlineData(new[] { "05/11/2026 08:00:00   x" }, DateOrder.MonthDayYear, false)]
    [InlineData(new[] { "05.11.2026 08:00:00   x" }, DateOrder.DayMonthYear, true)]
    [InlineData(new[] { "05-11-2026 08:00:00   x" }, DateOrder.MonthDayYear, false)]
    public void TheDateOrderIsWhatTheFirstLinesProveElseWhatTheSeparatorSuggests(string[] lines, DateOrder expected, bool proven)
    {
        Assert.Equal(expected, DominoParser.DetectDateOrder(lines, out var wasProven));
        Assert.Equal(proven, wasProven);
    }

    [Fact]
    public void AGivenDateOrderReadsDatesThatCouldGoEitherWay()
    {
        const string Line = "05/11/2026 08:00:00   SMTP Server: 192.0.2.10 connected";
        var dayFirst = Origin with { Timestamps = TimestampContext.Utc(2026) with { DateOrder = DateOrder.DayMonthYear } };

        Assert.Equal(new DateTimeOffset(2026, 11, 5, 8, 0, 0, TimeSpan.Zero), new DominoParser().Parse(Line, dayFirst, 1).Event!.Timestamp);
        Assert.Equal(new DateTimeOffset(2026, 5, 11, 8, 0, 0, TimeSpan.Zero), new DominoParser().Parse(Line, Origin, 1).Event!.Timestamp);
    }
}
