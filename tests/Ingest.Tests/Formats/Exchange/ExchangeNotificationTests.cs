using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exchange;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exchange;

/// <summary>
/// Exchange's <c>DSN</c> tracking record is a message of its own (its own internal id, the null sender, the original
/// sender as its recipient); its <c>reference</c> column names the Message-ID of the message it reports on. Records
/// written for these tests in that layout: the notification is an <c>ndr_sent</c> of the client that sent the
/// bounced message, naming the sender it goes back to, as the other relays' notifications are.
/// </summary>
public sealed class ExchangeNotificationTests
{
    private const string Header = "#Fields: date-time,event-id,internal-message-id,message-id,sender-address,recipient-address,recipient-status,client-ip,client-hostname,server-hostname,reference";

    [Fact]
    public void ANotificationIsOfTheClientWhoseMessageItReportsOn()
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("MSGTRK2026112400-1.LOG", null, TimestampContext.Utc(2026));
        parser.Parse(Header, origin, 1);
        parser.Parse("2026-11-24T08:00:00.000Z,RECEIVE,41,<spam1@forged.example>,victim@far.example,ghost@ours.example,250 2.1.5 Recipient OK,203.0.113.9,bot.example.net,EDGE1,", origin, 2);
        parser.Parse("2026-11-24T08:00:01.000Z,FAIL,41,<spam1@forged.example>,victim@far.example,ghost@ours.example,550 5.1.1 User unknown,,,domino1.ours.example,", origin, 3);

        var notice = parser.Parse("2026-11-24T08:00:01.100Z,DSN,42,<NDR-42@ours.example>,<>,victim@far.example,,,,EDGE1,<spam1@forged.example>", origin, 4).Event!;

        Assert.Equal(("ndr_sent", "203.0.113.9", "bot.example.net", "victim@far.example", "victim@far.example"), (notice.Event, notice.ClientIp, notice.ClientHost, notice.MailFrom, notice.RcptTo));
    }

    [Fact]
    public void ANotificationForAMessageNeverSeenHasNoClient()
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("MSGTRK2026112400-1.LOG", null, TimestampContext.Utc(2026));
        parser.Parse(Header, origin, 1);

        var notice = parser.Parse("2026-11-24T08:00:01.100Z,DSN,42,<NDR-42@ours.example>,<>,victim@far.example,,,,EDGE1,<unknown@forged.example>", origin, 2).Event!;

        Assert.Equal(("ndr_sent", string.Empty, string.Empty), (notice.Event, notice.ClientIp, notice.MailFrom));
    }
}
