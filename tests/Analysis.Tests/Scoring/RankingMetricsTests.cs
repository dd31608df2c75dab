using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Tests.Scoring;

public sealed class RankingMetricsTests
{
    [Fact]
    public void APerfectRankingScoresOneEverywhere()
    {
        var metrics = RankingMetrics.Compute([(0.9, true), (0.8, true), (0.2, false), (0.1, false)]);

        Assert.Equal(new RankingMetrics(2, 2, 1, 1, 1, 1), metrics);
    }

    [Fact]
    public void TiesCountHalfInTheAucAndNeverHelpRecall()
    {
        // Every score equal: a coin toss, and no threshold flags a bad sender without flagging all the good ones.
        var metrics = RankingMetrics.Compute([(0.5, true), (0.5, false), (0.5, true), (0.5, false)]);

        Assert.Equal(0.5, metrics.RocAuc);
        Assert.Equal(0, metrics.RecallAtFpr01);
        Assert.Equal(0, metrics.RecallAtFpr1);
    }

    [Fact]
    public void RecallIsCountedAtTheLowestThresholdThatStaysWithinTheFalsePositiveRate()
    {
        // 100 good senders: 1% allows exactly one above the threshold, 0.1% none.
        var scored = Enumerable.Range(0, 99).Select(i => (i / 1000.0, false)).Append((0.95, false))
            .Concat([(0.99, true), (0.9, true), (0.5, true), (0.01, true)])
            .ToList();

        Assert.Equal(0.25, RankingMetrics.RecallAtFalsePositiveRate(scored, 0.001));
        Assert.Equal(0.75, RankingMetrics.RecallAtFalsePositiveRate(scored, 0.01));
    }

    [Fact]
    public void AveragePrecisionWeighsEachBadSenderByThePrecisionAtItsRank()
    {
        // Ranks: bad, good, bad → (1/1 + 2/3) / 2.
        var metrics = RankingMetrics.Compute([(0.9, true), (0.8, false), (0.7, true)]);

        Assert.Equal((1 + (2 / 3.0)) / 2, metrics.PrAuc, 10);
        Assert.Equal(0.5, metrics.RocAuc);
    }
}
