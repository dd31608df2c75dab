namespace RelayWatch.Analysis.Scoring;

/// <summary>How well a score ranks bad senders above good ones.</summary>
/// <param name="RocAuc">Chance that a random bad sender scores above a random good one (ties count half).</param>
/// <param name="PrAuc">Average precision: the area under the precision-recall curve.</param>
/// <param name="RecallAtFpr01">Share of bad senders caught at a threshold that flags at most 0.1% of the good ones.</param>
/// <param name="RecallAtFpr1">The same at 1%.</param>
public sealed record RankingMetrics(int Positives, int Negatives, double RocAuc, double PrAuc, double RecallAtFpr01, double RecallAtFpr1)
{
    /// <summary>Measures scores against labels (true = bad). Higher scores must mean worse.</summary>
    public static RankingMetrics Compute(IReadOnlyList<(double Score, bool Bad)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var positives = scored.Count(s => s.Bad);
        var negatives = scored.Count - positives;
        return new RankingMetrics(positives, negatives, RocAucOf(scored, positives, negatives), AveragePrecision(scored, positives),
            RecallAtFalsePositiveRate(scored, 0.001), RecallAtFalsePositiveRate(scored, 0.01));
    }

    /// <summary>
    /// The share of bad senders scored at or above the lowest threshold whose false positives stay within
    /// <paramref name="rate"/> of the good senders. Equal scores are flagged together, so ties never help.
    /// </summary>
    public static double RecallAtFalsePositiveRate(IReadOnlyList<(double Score, bool Bad)> scored, double rate)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var positives = scored.Count(s => s.Bad);
        var negatives = scored.Count - positives;
        if (positives == 0)
        {
            return 1;
        }

        var allowed = Math.Floor(rate * negatives);
        var (truePositives, falsePositives, best) = (0, 0, 0);
        foreach (var group in scored.GroupBy(s => s.Score).OrderByDescending(g => g.Key))
        {
            truePositives += group.Count(s => s.Bad);
            falsePositives += group.Count(s => !s.Bad);
            if (falsePositives > allowed)
            {
                break;
            }

            best = truePositives;
        }

        return best / (double)positives;
    }

    private static double RocAucOf(IReadOnlyList<(double Score, bool Bad)> scored, int positives, int negatives)
    {
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        // Mann–Whitney U over ranks, ties sharing their mean rank.
        var ordered = scored.OrderBy(s => s.Score).ToList();
        double positiveRankSum = 0;
        for (var i = 0; i < ordered.Count;)
        {
            var (j, bad) = (i, 0);
            while (j < ordered.Count && ordered[j].Score == ordered[i].Score)
            {
                bad += ordered[j].Bad ? 1 : 0;
                j++;
            }

            var meanRank = (i + 1 + j) / 2.0;
            positiveRankSum += meanRank * bad;
            i = j;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static double AveragePrecision(IReadOnlyList<(double Score, bool Bad)> scored, int positives)
    {
        if (positives == 0)
        {
            return double.NaN;
        }

        var (truePositives, seen, sum) = (0, 0, 0.0);
        foreach (var group in scored.GroupBy(s => s.Score).OrderByDescending(g => g.Key))
        {
            var bad = group.Count(s => s.Bad);
            truePositives += bad;
            seen += group.Count();
            sum += bad * (truePositives / (double)seen);
        }

        return sum / positives;
    }
}
