using RelayWatch.Analysis.Evaluation;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Tests.Evaluation;

public sealed class ModelEvaluationTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private static readonly string[] Truth =
    [
        """{"kind":"backscatter","subjects":["198.51.100.52"],"start":"2026-11-24T01:00:00+00:00","end":"2026-11-24T20:00:00+00:00","detail":{"shape":"single_server","innocent":true}}""",
        """{"kind":"backscatter","subjects":["ours.example"],"start":"2026-11-24T01:00:00+00:00","end":"2026-11-24T20:00:00+00:00","detail":{"shape":"wave","innocent":true}}""",
        """{"kind":"bouncer","subjects":["198.18.7.25"],"start":"2026-11-24T01:00:00+00:00","end":"2026-11-24T20:00:00+00:00","detail":{"shape":"wave_server","innocent":true}}""",
        """{"kind":"compromised_account","subjects":["nina.nelson"],"start":"2026-11-24T06:00:00+00:00","end":"2026-11-24T07:00:00+00:00","detail":{"shape":"compromised_account","client_ips":["198.18.175.27"]}}""",
        """{"kind":"snowshoe","subjects":["198.18.90.4","198.18.91.5"],"start":"2026-11-24T06:00:00+00:00","end":"2026-11-24T07:00:00+00:00","detail":{"shape":"snowshoe"}}""",
        """{"kind":"legitimate","subjects":["192.0.2.1"],"start":"2026-11-24T00:00:00+00:00","end":"2026-11-24T23:00:00+00:00","detail":{"sender":"provider","mistyped_recipients":0}}""",
        """{"kind":"mx_failover","subjects":["mx1"],"start":"2026-11-24T09:00:00+00:00","end":"2026-11-24T10:00:00+00:00","detail":{}}""",
    ];

    [Fact]
    public void BouncingServersAreInnocentAndAStolenLoginsClientsAreAttackersOfItsShape()
    {
        // Each scored: the bouncers high (a model that would block them), the attackers in between.
        var scored = new Dictionary<string, double>
        {
            ["198.51.100.52"] = 0.9, ["198.18.7.25"] = 0.8, ["198.18.175.27"] = 0.6, ["198.18.90.4"] = 0.3, ["198.18.91.5"] = 0.7, ["192.0.2.1"] = 0.1,
        };
        var scores = scored.Select(s => new IpScore(Day, s.Key, string.Empty, s.Value, [])).ToList();
        var rows = scored.Select(s => new IpFeatureRow(Day, s.Key, string.Empty, string.Empty, string.Empty, new float[FeatureCatalog.All.Count])).ToList();

        var evaluation = ModelEvaluation.Evaluate(Truth, scores, rows);

        Assert.Equal((3, 3), (evaluation.All.Positives, evaluation.All.Negatives));
        Assert.Equal((2, 2), evaluation.InnocentBouncers);
        Assert.Contains("2026-11-24 198.51.100.52 0.900", evaluation.FalsePositives);
        Assert.Equal(["snowshoe", "compromised_account"], evaluation.PerShape.Select(s => s.Shape));
        Assert.Equal(1, evaluation.PerShape.Single(s => s.Shape == "compromised_account").Model.Positives);
        Assert.Equal(2, evaluation.PerShape.Single(s => s.Shape == "snowshoe").Model.Positives);
        // The three shapes that look legitimate, together: 2 snowshoe addresses and the stolen login's client against the 3 innocents.
        Assert.Equal((3, 3), (evaluation.LookLegitimate!.Model.Positives, evaluation.LookLegitimate.Model.Negatives));
    }
}
