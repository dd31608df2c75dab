using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Evaluation;

namespace RelayWatch.Analysis.Tests.Evaluation;

public sealed class TruthEvaluationTests
{
    private static readonly string[] Truth =
    [
        """{"kind":"dha","subjects":["2001:db8:5a0b::/48"],"detail":{}}""",
        """{"kind":"dha","subjects":["203.0.113.7"],"detail":{}}""",
        """{"kind":"legitimate","subjects":["192.0.2.23"],"detail":{"mistyped_recipients":1}}""",
    ];

    [Theory]
    [InlineData("2001:db8:5a0b::/48", "2001:db8:5a0b::/48", true)]
    [InlineData("2001:db8:5a0b::/48", "2001:db8:5a0b:196f::3dd", true)]
    [InlineData("2001:db8:5a0b:196f::3dd", "2001:db8:5a0b::/48", false)]
    [InlineData("203.0.113.0/24", "203.0.113.7", true)]
    [InlineData("203.0.113.8", "203.0.113.7", false)]
    public void AFindingCoversItsSubjectOrANetworkAroundIt(string finding, string truth, bool covers) =>
        Assert.Equal(covers, TruthEvaluation.Covers(finding, truth));

    [Fact]
    public void AMemberOfAHarvestNetworkIsRightButDoesNotFindTheCampaign()
    {
        var score = TruthEvaluation.Evaluate(Truth, [Finding("dha", "2001:db8:5a0b:196f::3dd"), Finding("dha", "203.0.113.7")], ["dha"]).Single();

        Assert.Equal(1.0, score.Precision);
        Assert.Equal(0.5, score.Recall);
        Assert.Equal(["2001:db8:5a0b::/48"], score.Missed);
    }

    [Fact]
    public void BlamingATypoSenderIsAFalsePositiveAndCountedApart()
    {
        var score = TruthEvaluation.Evaluate(Truth, [Finding("dha", "192.0.2.23"), Finding("dha", "203.0.113.7"), Finding("dha", "203.0.113.7")], ["dha"]).Single();

        Assert.Equal(["192.0.2.23"], score.FalsePositives);
        Assert.Equal(["192.0.2.23"], score.OnTypoSenders);
        Assert.Equal(0.5, score.Precision);
    }

    [Fact]
    public void ADetectorWithNothingToFindAndNothingFoundIsPerfect()
    {
        var score = TruthEvaluation.Evaluate(Truth, [], ["open_relay"]).Single();

        Assert.Equal((1.0, 1.0), (score.Precision, score.Recall));
    }

    private static Finding Finding(string detector, string subject) =>
        new(new DateOnly(2026, 11, 24), detector, subject, "medium", 1, DateTime.UnixEpoch, DateTime.UnixEpoch, 1, "{}");
}
