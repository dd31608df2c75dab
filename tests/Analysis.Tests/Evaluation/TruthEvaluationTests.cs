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

    [Theory]
    [InlineData("jdoe", "jdoe", true)]
    [InlineData("OURS\\jdoe", "jdoe", true)]
    [InlineData("ours\\JDoe", "jdoe", true)]
    [InlineData("OURS\\xjdoe", "jdoe", false)]
    [InlineData("OURSjdoe", "jdoe", false)]
    [InlineData("jdoe", "OURS\\jdoe", false)]
    [InlineData("OURS\\", "", false)]
    [InlineData("A\\B\\jdoe", "B\\jdoe", false)]
    public void ALoginIsFoundByItsNameOrWithItsWindowsDomainBeforeIt(string finding, string truth, bool covers) =>
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

    /// <summary>A harder-world day: a backscatter wave (its subject the targeted domain) and its innocent servers, a snowshoe campaign, a stale-list newsletter.</summary>
    private static readonly string[] HarderTruth =
    [
        """{"kind":"backscatter","subjects":["ours.example"],"detail":{"shape":"wave","innocent":true}}""",
        """{"kind":"bouncer","subjects":["198.18.7.25"],"detail":{"shape":"wave_server","innocent":true}}""",
        """{"kind":"bouncer","subjects":["2001:db8:6001:1::25"],"detail":{"shape":"wave_server","innocent":true}}""",
        """{"kind":"snowshoe","subjects":["198.18.90.4","198.18.91.5","2001:db8:7001:1::9"],"detail":{"shape":"snowshoe","campaign":"snowshoe-20261124"}}""",
        """{"kind":"legitimate","subjects":["198.18.190.21"],"detail":{"sender":"stale_list_newsletter","mistyped_recipients":0,"stale_recipients":40}}""",
    ];

    [Fact]
    public void AWaveIsFoundByAFindingThatNamesTheDomainItTargetedAndNotByOneThatNamesAServer()
    {
        var named = TruthEvaluation.Evaluate(HarderTruth, [Finding("backscatter", "ours.example")], ["backscatter"]).Single();
        var wrong = TruthEvaluation.Evaluate(HarderTruth, [Finding("backscatter", "198.18.7.25")], ["backscatter"]).Single();

        Assert.Equal((1.0, 1.0), (named.Precision, named.Recall));
        Assert.Equal(["198.18.7.25"], wrong.FalsePositives);
        Assert.Equal(["ours.example"], wrong.Missed);
    }

    [Fact]
    public void ASnowshoeFindingFindsTheAddressesItListsAsMembers()
    {
        var finding = Finding("snowshoe", "snowshoe-2026-11-24-1") with { Evidence = """{"rule":"campaign","members":["198.18.90.4","2001:db8:7001:1::9"]}""" };

        var score = TruthEvaluation.Evaluate(HarderTruth, [finding], ["snowshoe"]).Single();
        var shape = TruthEvaluation.EvaluateShapes(HarderTruth, [finding], ["snowshoe"]).Single(s => s.Shape == "snowshoe");

        Assert.Equal(["198.18.91.5"], score.Missed);
        Assert.Equal(1.0, score.Precision);
        Assert.Equal(["198.18.91.5"], shape.Missed);
        Assert.Equal("snowshoe", shape.Detector);
    }

    [Fact]
    public void WithoutASnowshoeDetectorTheShapeSaysNoDetectorCoversIt()
    {
        var shape = TruthEvaluation.EvaluateShapes(HarderTruth, [], ["dha", "backscatter"]).Single(s => s.Shape == "snowshoe");

        Assert.Null(shape.Detector);
        Assert.Equal(3, shape.Missed.Count);
    }

    [Fact]
    public void AnInnocentSenderNamedByAnyDetectorIsListedUnderItsShape()
    {
        var shapes = TruthEvaluation.EvaluateShapes(HarderTruth, [Finding("dha", "198.18.7.0/24"), Finding("dha", "198.18.190.21"), Finding("backscatter", "ours.example")], ["dha", "backscatter"]);

        var bouncers = shapes.Single(s => s.Kind == "bouncer");
        Assert.True(bouncers.Innocent);
        Assert.Equal([("198.18.7.25", "dha", "198.18.7.0/24")], bouncers.Named);
        Assert.Equal([("198.18.190.21", "dha", "198.18.190.21")], shapes.Single(s => s.Shape == "stale_list_newsletter").Named);
        Assert.Equal(1.0, shapes.Single(s => s.Shape == "wave").Recall);
    }

    private static Finding Finding(string detector, string subject) =>
        new(new DateOnly(2026, 11, 24), detector, subject, "medium", 1, DateTime.UnixEpoch, DateTime.UnixEpoch, 1, "{}");
}
