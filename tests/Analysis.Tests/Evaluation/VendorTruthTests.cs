using System.Net;
using System.Text.Json;
using RelayWatch.Analysis.Evaluation;

namespace RelayWatch.Analysis.Tests.Evaluation;

public sealed class VendorTruthTests
{
    private static readonly string[] Truth =
    [
        """{"kind":"dha","subjects":["198.51.100.0/24"],"start":"2026-11-24T01:00:00+00:00","end":"2026-11-24T02:00:00+00:00","relays":["mx1","mx2"],"detail":{"shape":"slow_ipv4_24","members":["198.51.100.7","198.51.100.9"]}}""",
        """{"kind":"snowshoe","subjects":["192.0.2.80","192.0.2.81"],"start":"2026-11-24T06:00:00+00:00","end":"2026-11-24T07:00:00+00:00","relays":["mx2"],"detail":{"shape":"snowshoe"}}""",
        """{"kind":"compromised_account","subjects":["nina.nelson"],"start":"2026-11-24T06:00:00+00:00","end":"2026-11-24T07:00:00+00:00","relays":["mx2","esa1"],"detail":{"client_ips":["203.0.113.5","203.0.113.6"]}}""",
        """{"kind":"legitimate","subjects":["192.0.2.1"],"start":"2026-11-24T00:00:00+00:00","end":"2026-11-24T23:00:00+00:00","relays":["mx1"],"detail":{"sender":"provider"}}""",
        """{"kind":"relay_probe","subjects":["192.0.2.200"],"start":"2026-11-24T00:00:00+00:00","end":"2026-11-24T23:00:00+00:00","relays":["mx2"],"detail":{}}""",
    ];

    [Fact]
    public void OnlyWhatTheVendorsRelaysSawIsKept()
    {
        HashSet<IPAddress> seen = [IPAddress.Parse("198.51.100.9"), IPAddress.Parse("192.0.2.81"), IPAddress.Parse("203.0.113.6")];

        var kept = VendorTruth.Restrict(Truth, new HashSet<string>(["mx2"]), seen).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(["dha", "snowshoe", "compromised_account"], kept.Select(k => k.GetProperty("kind").GetString()));
        // A network stays when an address of it was seen; its members and a login's clients are cut to those seen.
        Assert.Equal(["198.51.100.0/24"], Subjects(kept[0], "subjects"));
        Assert.Equal(["198.51.100.9"], Subjects(kept[0].GetProperty("detail"), "members"));
        Assert.Equal(["192.0.2.81"], Subjects(kept[1], "subjects"));
        Assert.Equal(["nina.nelson"], Subjects(kept[2], "subjects"));
        Assert.Equal(["203.0.113.6"], Subjects(kept[2].GetProperty("detail"), "client_ips"));
    }

    [Fact]
    public void ARecordWithoutRelaysOrAnyUnreadableLineIsLeftOutNotFatal()
    {
        var kept = VendorTruth.Restrict(["{\"kind\":\"dha\",\"subjects\":[\"192.0.2.9\"]}", "[]", "   "], new HashSet<string>(["mx1"]), new HashSet<IPAddress>([IPAddress.Parse("192.0.2.9")]));

        Assert.Empty(kept);
    }

    private static List<string?> Subjects(JsonElement element, string property) => [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString())];
}
