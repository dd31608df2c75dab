using RelayWatch.Analysis.Evaluation;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Tests.Evaluation;

public sealed class LabelAuditTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private static readonly string[] Truth =
    [
        """{"kind":"bouncer","subjects":["198.18.7.25"],"start":"2026-11-24T01:00:00+00:00","end":"2026-11-24T20:00:00+00:00","detail":{"shape":"wave_server","innocent":true}}""",
        """{"kind":"legitimate","subjects":["198.18.190.22"],"start":"2026-11-24T00:00:00+00:00","end":"2026-11-24T23:00:00+00:00","detail":{"sender":"stale_list_newsletter"}}""",
        """{"kind":"legitimate","subjects":["192.0.2.1"],"start":"2026-11-24T00:00:00+00:00","end":"2026-11-24T23:00:00+00:00","detail":{"sender":"provider"}}""",
        """{"kind":"dha","subjects":["198.51.100.7","198.51.100.8"],"start":"2026-11-24T06:00:00+00:00","end":"2026-11-24T07:00:00+00:00","detail":{"shape":"very_slow"}}""",
    ];

    [Fact]
    public void CountsInnocentAddressesLabelledBadBySourceAndLeavesOutWhatTheTruthDoesNotMention()
    {
        var labels = new Dictionary<string, SenderLabel>
        {
            ["198.18.7.25"] = SenderLabel.InnocentByKind("backscatter"),
            ["198.18.190.22"] = new(true, "finding:dha"),
            ["192.0.2.1"] = new(false, "unlabelled"),
            ["198.51.100.7"] = new(true, "finding:dha"),
            ["198.51.100.8"] = new(false, "unlabelled"),
            ["203.0.113.99"] = new(true, "dnsbl"),
        };
        var rows = labels.Keys.Select(ip => new IpFeatureRow(Day, ip, string.Empty, string.Empty, string.Empty, new float[FeatureCatalog.All.Count])).ToList();

        var audit = LabelAudit.Measure(Truth, rows, r => labels[r.Ip]);

        Assert.Equal(3, audit.Innocent);
        Assert.Equal(1, audit.InnocentBadTotal);
        Assert.Equal(1, audit.InnocentBad["finding:dha"]);
        Assert.Equal(1, audit.InnocentLeftOut);
        Assert.Equal((2, 1), (audit.Attackers, audit.AttackersBad));
        Assert.Equal(["2026-11-24 198.18.190.22 finding:dha"], audit.InnocentBadSamples);
    }
}
