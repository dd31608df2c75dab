using System.Globalization;
using Microsoft.ML;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// Trains the reputation model on a window of days, honestly: features from the store, labels from
/// <see cref="LabelBook"/>, a time-ordered split (learn from the earlier days, measure on the later ones,
/// never the other way round), and a manifest that records all of it. With too few labels of either
/// kind it falls back to an anomaly model and says so in <see cref="ModelManifest.Kind"/>.
/// </summary>
public sealed class ModelTrainer(IClickHouseStore store, EstateSettings estate, ScoringSettings settings, TimeProvider clock)
{
    /// <summary>Told what training is doing, step by step.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <exception cref="ArgumentException">The window is not at least two days with traffic; the message says what was found.</exception>
    public async Task<ReputationModel> TrainAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        if (last < first)
        {
            throw new ArgumentException($"The training window ends ({last:yyyy-MM-dd}) before it starts ({first:yyyy-MM-dd}).", nameof(last));
        }

        Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"computing features for {last.DayNumber - first.DayNumber + 1} days"));
        var rows = await FeatureQuery.ReadDaysAsync(store, estate, first, last, settings.NetworkFeatures, cancellationToken).ConfigureAwait(false);
        var features = FeatureCatalog.For(settings.NetworkFeatures);
        var days = rows.Select(r => r.Day).Distinct().Order().ToList();
        if (days.Count < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Training needs at least two days with traffic (an earlier one to learn from, a later one to measure on); {first:yyyy-MM-dd} to {last:yyyy-MM-dd} has {days.Count}."));
        }

        var labels = await LabelBook.LoadAsync(store, settings, first, last, cancellationToken).ConfigureAwait(false);
        var labelled = rows.Select(r => (Row: r, Label: labels.LabelOf(r))).Where(l => l.Label.Learnt).ToList();
        var evaluationDays = Math.Clamp((int)Math.Round(days.Count * settings.EvaluationShare), 1, days.Count - 1);
        var split = days[^evaluationDays];
        var training = labelled.Where(l => l.Row.Day < split).ToList();
        var evaluation = labelled.Where(l => l.Row.Day >= split).ToList();
        var bad = training.Count(t => t.Label.Bad);
        var good = training.Count - bad;
        var supervised = bad >= settings.MinimumLabelsPerClass && good >= settings.MinimumLabelsPerClass;
        Progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"{training.Count} addresses to learn from ({bad} bad, {good} good), {evaluation.Count} to measure on; {(supervised ? "training boosted trees" : "too few labels, training an anomaly model")}"));

        var ml = new MLContext(settings.Seed);
        var transformer = supervised
            ? ReputationModel.FitSupervised(ml, [.. training.Select(t => (t.Row, t.Label.Bad))], settings)
            : ReputationModel.FitAnomaly(ml, [.. training.Select(t => t.Row)], settings);
        var kind = supervised ? ModelKinds.Supervised : ModelKinds.Anomaly;

        IReadOnlyList<double>? anomalyReference = supervised ? null
            : [.. ReputationModel.Predict(ml, transformer, [.. training.Select(t => t.Row.Values)], kind).Select(p => p.Raw).Order()];
        var columns = Columns(training.Select(t => t.Row), features.Count);
        var goodColumns = Columns(training.Where(t => !t.Label.Bad).Select(t => t.Row), features.Count);
        var trainedAt = clock.GetUtcNow().UtcDateTime;
        var manifest = new ModelManifest(
            Version: $"{(supervised ? "gbt" : "pca")}-{trainedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}",
            Kind: kind,
            FeatureSet: settings.NetworkFeatures ? FeatureCatalog.NetworkVersion : FeatureCatalog.Version,
            Features: [.. features.Select(f => f.Name)],
            TrainedAt: trainedAt,
            Seed: settings.Seed,
            TrainingWindow: new DayWindow(days[0], days[^(evaluationDays + 1)]),
            EvaluationWindow: new DayWindow(split, days[^1]),
            BadLabels: bad,
            GoodLabels: good,
            LabelSources: training.GroupBy(t => t.Label.Source).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            Evaluation: null,
            Baselines: new Dictionary<string, Baseline>(),
            GoodRanges: [.. goodColumns.Select(c => new ValueRange(Percentile(c, 0.05), Percentile(c, 0.95)))],
            Means: [.. columns.Select(c => c.Count == 0 ? 0 : c.Average())],
            Deviations: [.. columns.Select(StandardDeviation)],
            AnomalyReference: anomalyReference);

        // Measure on the held-out later days, with the same labels the model learnt from.
        var model = ReputationModel.Create(ml, transformer, manifest);
        var scores = model.Score([.. evaluation.Select(e => e.Row)], reasons: 0);
        var measured = scores.Select((s, i) => (s.Score, evaluation[i].Label.Bad)).ToList();
        var metrics = measured.Any(m => m.Bad) && measured.Any(m => !m.Bad) ? RankingMetrics.Compute(measured) : null;
        Progress?.Report("measuring each feature's importance on the later days");
        var importance = FeatureImportance.Measure(model, [.. evaluation.Select(e => (e.Row, e.Label.Bad))], settings.Seed);
        return ReputationModel.Create(ml, transformer, manifest with
        {
            Evaluation = metrics,
            Importance = importance,
            Baselines = Baselines(training.Select(t => t.Row).ToList(), features.Count, evaluation.Select((e, i) => (e.Row.Day, scores[i].Score)).ToList()),
        });
    }

    /// <summary>Feature distributions from the training days and score distributions from the evaluation days, overall and per kind of day.</summary>
    private static Dictionary<string, Baseline> Baselines(List<IpFeatureRow> training, int width, List<(DateOnly Day, double Score)> evaluated)
    {
        const int MinimumScores = 50;
        var allScores = Distribution.Of([.. evaluated.Select(e => e.Score)]);
        var baselines = new Dictionary<string, Baseline>(StringComparer.Ordinal)
        {
            [Baseline.AllDays] = new([.. Columns(training, width).Select(Distribution.Of)], allScores),
        };
        foreach (var kind in training.GroupBy(r => Baseline.KindOf(r.Day)))
        {
            var scores = evaluated.Where(e => Baseline.KindOf(e.Day) == kind.Key).Select(e => e.Score).ToList();
            baselines[kind.Key] = new([.. Columns(kind, width).Select(Distribution.Of)], scores.Count >= MinimumScores ? Distribution.Of(scores) : allScores);
        }

        return baselines;
    }

    private static List<List<double>> Columns(IEnumerable<IpFeatureRow> rows, int width)
    {
        var list = rows.ToList();
        return [.. Enumerable.Range(0, width).Select(i => list.Select(r => (double)r.Values[i]).ToList())];
    }

    private static double Percentile(List<double> values, double share)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[(int)Math.Round((sorted.Count - 1) * share)];
    }

    private static double StandardDeviation(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
