using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exchange;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exchange;

/// <summary>
/// Exchange's message tracking log names a message's recipients in one <c>recipient-address</c> field separated by
/// <c>;</c>, and their statuses in <c>recipient-status</c> the same way. Records written for these tests in that
/// layout: a delivery, bounce or deferral is one event per recipient with its own status; the message received is one.
/// </summary>
public sealed class ExchangeRecipientListTests
{
    private const string Header = "#Fields: date-time,event-id,internal-message-id,sender-address,recipient-address,recipient-status,client-ip,server-hostname,server-ip,total-bytes,message-id";

    private static LineResult Read(string record)
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("MSGTRK2026112400-1.LOG", null, TimestampContext.Utc(2026));
        parser.Parse(Header, origin, 1);
        parser.Parse("2026-11-24T08:00:00.000Z,RECEIVE,41,a@lists.example,c@ours.example;d@ours.example,250 2.1.5 Recipient OK,198.51.100.70,EDGE1,,1200,<m@lists.example>", origin, 2);
        return parser.Parse(record, origin, 3);
    }

    [Fact]
    public void ASendToSeveralRecipientsIsOneDeliveryEach()
    {
        var result = Read("2026-11-24T08:00:01.000Z,SEND,41,a@lists.example,c@ours.example;d@ours.example,250 2.6.0 Queued;250 2.6.0 Queued,,domino1.ours.example,10.20.0.5,1200,<m@lists.example>");

        Assert.Equal([("c@ours.example", "delivery"), ("d@ours.example", "delivery")], result.Events.Select(e => (e.RcptTo, e.Event)));
        Assert.All(result.Events, e => Assert.Equal(("198.51.100.70", 3UL, "250 2.6.0 Queued", "domino1.ours.example[10.20.0.5]"), (e.ClientIp, e.Line, e.Detail, e.NextHop)));
    }

    [Fact]
    public void AFailToSeveralRecipientsGivesEachItsOwnStatusEvenWhenAStatusHoldsASemicolon()
    {
        var result = Read("2026-11-24T08:00:01.000Z,FAIL,41,a@lists.example,c@ours.example;d@ours.example,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup;452 4.2.2 Mailbox full,,domino1.ours.example,10.20.0.5,1200,<m@lists.example>");

        Assert.Equal(
            [("c@ours.example", (ushort)550, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"), ("d@ours.example", (ushort)452, "452 4.2.2 Mailbox full")],
            result.Events.Select(e => (e.RcptTo, e.SmtpCode, e.Detail)));
        Assert.Equal("user_unknown", result.Event!.Reason);
    }

    [Fact]
    public void StatusesThatDoNotPairWithTheRecipientsAreEachRecipientsWholeStatus()
    {
        var result = Read("2026-11-24T08:00:01.000Z,FAIL,41,a@lists.example,c@ours.example;d@ours.example;e@ours.example,550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found,,domino1.ours.example,10.20.0.5,1200,<m@lists.example>");

        Assert.Equal(3, result.Events.Count);
        Assert.All(result.Events, e => Assert.Equal("550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found", e.Detail));
    }

    [Fact]
    public void TheMessageReceivedIsOneEventNamingItsRecipients()
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("MSGTRK2026112400-1.LOG", null, TimestampContext.Utc(2026));
        parser.Parse(Header, origin, 1);

        var result = parser.Parse("2026-11-24T08:00:00.000Z,RECEIVE,41,a@lists.example,c@ours.example;;d@ours.example,250 2.1.5 Recipient OK,198.51.100.70,EDGE1,,1200,<m@lists.example>", origin, 2);

        Assert.Equal(("message", "c@ours.example,d@ours.example"), (result.Event!.Event, result.Event.RcptTo));
        Assert.Empty(result.More);
    }
}
