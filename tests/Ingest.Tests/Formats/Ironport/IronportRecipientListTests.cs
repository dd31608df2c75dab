using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Ironport;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Ironport;

/// <summary>
/// AsyncOS delivers a message's recipients over one connection and logs it once: <c>Message done DCID 4 MID 9 to RID
/// [0, 1, 2]</c>. Lines written for these tests in AsyncOS's wording: one delivery event per recipient, of that line.
/// </summary>
public sealed class IronportRecipientListTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "esa1", "mail_logs"), null, TimestampContext.Utc(2026));

    private static List<LineResult> Read(params string[] lines)
    {
        var parser = new IronportParser();
        string[] before =
        [
            "Tue Nov 24 09:10:00 2026 Info: New SMTP ICID 2 interface Incoming (192.0.2.20) address 198.51.100.70 reverse dns host out7.lists.example verified yes",
            "Tue Nov 24 09:10:01 2026 Info: Start MID 9 ICID 2",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 From: <news@lists.example>",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 RID 0 To: <alice@ours.example>",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 To: <ghost@ours.example> Rejected by LDAPACCEPT",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 RID 1 To: <bob@ours.example>",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 RID 2 To: <carol@ours.example>",
            "Tue Nov 24 09:10:02 2026 Info: MID 9 ready 1200 bytes from <news@lists.example>",
            "Tue Nov 24 09:10:03 2026 Info: New SMTP DCID 4 interface 10.20.2.11 address 10.20.0.5 port 2222",
        ];
        return [.. before.Concat(lines).Select((l, i) => parser.Parse(l, Origin, i + 1)).Skip(before.Length)];
    }

    [Fact]
    public void ADeliveryOfSeveralRidsIsOneEventPerRecipient()
    {
        var result = Assert.Single(Read("Tue Nov 24 09:10:03 2026 Info: Message done DCID 4 MID 9 to RID [0, 1, 2]"));

        Assert.Equal(["alice@ours.example", "bob@ours.example", "carol@ours.example"], result.Events.Select(e => e.RcptTo));
        Assert.All(result.Events, e => Assert.Equal(("delivery", 10UL, "198.51.100.70", "news@lists.example", "9", "[10.20.0.5]:2222"), (e.Event, e.Line, e.ClientIp, e.MailFrom, e.QueueId, e.NextHop)));
    }

    [Fact]
    public void RidsTheApplianceNeverNamedAreLeftOutAndNoneKnownIsStillTheLinesEvent()
    {
        var results = Read(
            "Tue Nov 24 09:10:03 2026 Info: Message done DCID 4 MID 9 to RID [1, 7, x, ]",
            "Tue Nov 24 09:10:04 2026 Info: Message done DCID 4 MID 9 to RID [8]");

        Assert.Equal(["bob@ours.example"], results[0].Events.Select(e => e.RcptTo));
        Assert.Equal(("delivery", string.Empty), (results[1].Event!.Event, results[1].Event!.RcptTo));
        Assert.Empty(results[1].More);
    }
}
