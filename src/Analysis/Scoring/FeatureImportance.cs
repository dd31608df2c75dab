namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// How much the model's held-out ranking depends on one feature: the ROC AUC on the evaluation window
/// minus the ROC AUC with that feature's values shuffled among the evaluation rows (permutation
/// importance). Measured on days the model did not learn from, so it says what the model uses to rank
/// senders it has not seen, not what it memorised. Near zero: the model does without it; negative: the
/// shuffled feature ranked better, i.e. noise.
/// </summary>
public sealed record FeatureImportance(string Feature, double RocAucDrop)
{
    /// <summary>Most rows measured: a seeded sample of a bigger evaluation window, so training time stays bounded (each feature scores them all again).</summary>
    public const int MaximumRows = 20_000;

    /// <summary>
    /// Permutation importance of every feature of <paramref name="model"/> over labelled rows (true = bad),
    /// each feature shuffled once with a generator seeded from <paramref name="seed"/>, so the same model
    /// and rows give the same figures. Null when the rows lack either kind of label (no AUC to lose).
    /// </summary>
    public static IReadOnlyList<FeatureImportance>? Measure(ReputationModel model, IReadOnlyList<(IpFeatureRow Row, bool Bad)> labelled, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelled);
        var random = new Random(seed);
        if (labelled.Count > MaximumRows)
        {
            var sample = labelled.ToArray();
            random.Shuffle(sample);
            labelled = sample[..MaximumRows];
        }

        if (!labelled.Any(l => l.Bad) || labelled.All(l => l.Bad))
        {
            return null;
        }

        var rows = labelled.Select(l => l.Row).ToList();
        var baseline = RocAuc(model, rows, labelled);
        var importance = new List<FeatureImportance>(model.Manifest.Features.Count);
        for (var feature = 0; feature < model.Manifest.Features.Count; feature++)
        {
            var order = Enumerable.Range(0, rows.Count).ToArray();
            random.Shuffle(order);
            var shuffled = rows.Select((row, i) =>
            {
                var values = (float[])row.Values.Clone();
                values[feature] = rows[order[i]].Values[feature];
                return row with { Values = values };
            }).ToList();
            importance.Add(new FeatureImportance(model.Manifest.Features[feature], baseline - RocAuc(model, shuffled, labelled)));
        }

        return [.. importance.OrderByDescending(i => i.RocAucDrop).ThenBy(i => i.Feature, StringComparer.Ordinal)];
    }

    private static double RocAuc(ReputationModel model, IReadOnlyList<IpFeatureRow> rows, IReadOnlyList<(IpFeatureRow Row, bool Bad)> labelled)
    {
        var scores = model.Score(rows, reasons: 0);
        return RankingMetrics.Compute([.. scores.Select((s, i) => (s.Score, labelled[i].Bad))]).RocAuc;
    }
}
