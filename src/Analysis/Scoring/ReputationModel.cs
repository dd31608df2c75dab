using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace RelayWatch.Analysis.Scoring;

/// <summary>One address's score on a day, with the reasons in words.</summary>
/// <param name="Score">0..1, higher is worse: a calibrated probability of being bad (supervised), or the share of the training window that looked more ordinary (anomaly).</param>
/// <param name="Network">Its /24 or /48, for grouping the members of one campaign.</param>
public sealed record IpScore(DateOnly Day, string Ip, string Network, double Score, IReadOnlyList<string> Reasons);

/// <summary>
/// The ML.NET model behind the scores: fitting, scoring with reasons, and the bytes it is stored as.
/// The supervised model carries ML.NET's feature-contribution step, so each score comes with the
/// features that pushed it up (or, for a good sender, down).
/// </summary>
public sealed class ReputationModel
{
    private const string FeaturesColumn = "Features";

    private readonly MLContext ml;
    private readonly ITransformer transformer;

    private ReputationModel(MLContext ml, ITransformer transformer, ModelManifest manifest)
    {
        this.ml = ml;
        this.transformer = transformer;
        Manifest = manifest;
    }

    public ModelManifest Manifest { get; }

    /// <summary>Boosted trees on labelled rows, seeded and single-threaded so the same data gives the same model.</summary>
    internal static ITransformer FitSupervised(MLContext ml, IReadOnlyList<(IpFeatureRow Row, bool Bad)> training, ScoringSettings settings)
    {
        var data = Load(ml, training.Select(t => (t.Row.Values, t.Bad)), training[0].Row.Values.Length);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = FeaturesColumn,
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = 5,
            LearningRate = 0.15,
            NumberOfThreads = 1,
            Seed = settings.Seed,
            // Each tree sees half the features: the model cannot lean on one signal alone, which makes it
            // sturdier when an attacker changes one habit, and spreads the reasons over what really differs.
            FeatureFraction = 0.5,
        });
        var predictor = trainer.Fit(data);
        var contributions = ml.Transforms.CalculateFeatureContribution(predictor, numberOfPositiveContributions: 6, numberOfNegativeContributions: 3, normalize: false)
            .Fit(predictor.Transform(data));
        return new TransformerChain<ITransformer>(predictor, contributions);
    }

    /// <summary>Randomized PCA over standardised features: what it cannot reconstruct is unusual.</summary>
    internal static ITransformer FitAnomaly(MLContext ml, IReadOnlyList<IpFeatureRow> training, ScoringSettings settings)
    {
        var data = Load(ml, training.Select(r => (r.Values, false)), training[0].Values.Length);
        var pipeline = ml.Transforms.NormalizeMeanVariance(FeaturesColumn)
            .Append(ml.AnomalyDetection.Trainers.RandomizedPca(FeaturesColumn, rank: Math.Min(8, training[0].Values.Length - 1), seed: settings.Seed));
        return pipeline.Fit(data);
    }

    internal static ReputationModel Create(MLContext ml, ITransformer transformer, ModelManifest manifest) => new(ml, transformer, manifest);

    /// <summary>Raw model outputs: the supervised probability or the anomaly model's reconstruction error, with contributions when there are any.</summary>
    internal static IReadOnlyList<(double Raw, float[]? Contributions)> Predict(MLContext ml, ITransformer transformer, IReadOnlyList<float[]> features, string kind)
    {
        if (features.Count == 0)
        {
            return [];
        }

        var scored = transformer.Transform(Load(ml, features.Select(f => (f, false)), features[0].Length));
        if (kind == ModelKinds.Supervised)
        {
            return [.. ml.Data.CreateEnumerable<SupervisedOutput>(scored, reuseRowObject: false).Select(o => ((double)o.Probability, (float[]?)o.FeatureContributions))];
        }

        return [.. ml.Data.CreateEnumerable<AnomalyOutput>(scored, reuseRowObject: false).Select(o => ((double)o.Score, (float[]?)null))];
    }

    /// <summary>Scores addresses and says why, in the analyst's words.</summary>
    /// <exception cref="InvalidOperationException">The rows carry other features than the model was trained on.</exception>
    public IReadOnlyList<IpScore> Score(IReadOnlyList<IpFeatureRow> rows, int reasons)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (FeatureCatalog.UsesNetwork(Manifest.Features) is null)
        {
            throw new InvalidOperationException($"Model {Manifest.Version} was trained on other features ({Manifest.FeatureSet}) than this version computes ({FeatureCatalog.Version} or {FeatureCatalog.NetworkVersion}); train a new one.");
        }

        if (rows.FirstOrDefault(r => r.Values.Length != Manifest.Features.Count) is { } other)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Model {Manifest.Version} takes {Manifest.Features.Count} features ({Manifest.FeatureSet}) but the rows of {other.Ip} carry {other.Values.Length}; compute them with the model's feature set."));
        }

        // Slices score in parallel, each through a context of its own: a scoring run is CPU-bound and
        // the transformer is read-only once trained.
        var slices = Math.Clamp(rows.Count / 10_000, 1, Environment.ProcessorCount);
        var size = (rows.Count + slices - 1) / slices;
        var scores = new IpScore[rows.Count];
        Parallel.For(0, slices, slice =>
        {
            var (from, to) = (slice * size, Math.Min(rows.Count, (slice + 1) * size));
            var context = slices == 1 ? ml : new MLContext(Manifest.Seed);
            var outputs = Predict(context, transformer, [.. Enumerable.Range(from, to - from).Select(i => rows[i].Values)], Manifest.Kind);
            for (var i = from; i < to; i++)
            {
                var (raw, contributions) = outputs[i - from];
                var score = Manifest.Kind == ModelKinds.Supervised ? raw : AnomalyShare(raw);
                var order = contributions is not null
                    ? ByContribution(contributions, rows[i].Values, worse: score >= 0.5)
                    : ByDeviation(rows[i].Values);
                scores[i] = new IpScore(rows[i].Day, rows[i].Ip, rows[i].Network, score, Describe(rows[i], order, reasons));
            }
        });

        return scores;
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        ml.Model.Save(transformer, null, stream);
        return stream.ToArray();
    }

    /// <summary>A model saved by <see cref="ToBytes"/>, ready to score.</summary>
    public static ReputationModel FromBytes(byte[] bytes, ModelManifest manifest)
    {
        var ml = new MLContext(manifest.Seed);
        using var stream = new MemoryStream(bytes);
        return new ReputationModel(ml, ml.Model.Load(stream, out _), manifest);
    }

    internal static IDataView Load(MLContext ml, IEnumerable<(float[] Features, bool Bad)> rows, int width)
    {
        var schema = SchemaDefinition.Create(typeof(ModelInput));
        schema[nameof(ModelInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(rows.Select(r => new ModelInput { Features = r.Features, Label = r.Bad }), schema);
    }

    /// <summary>
    /// Feature indexes, strongest push first: towards bad for a bad score, towards good for a good one.
    /// For a bad score, values outside the good senders' range come first: trees lean on whichever of
    /// several correlated features they split on first, and "0 messages" is true of many good senders too.
    /// </summary>
    private IEnumerable<int> ByContribution(float[] contributions, float[] values, bool worse)
    {
        var pushing = Enumerable.Range(0, contributions.Length)
            .Where(i => worse ? contributions[i] > 1e-6f : contributions[i] < -1e-6f)
            .OrderByDescending(i => Math.Abs(contributions[i]))
            .ToList();
        return worse ? pushing.OrderBy(i => Manifest.GoodRanges[i].Contains(values[i]) ? 1 : 0) : pushing;
    }

    /// <summary>Feature indexes, most unusual first, measured in standard deviations from the training window.</summary>
    private IEnumerable<int> ByDeviation(float[] values) =>
        Enumerable.Range(0, values.Length)
            .Select(i => (Index: i, Z: Manifest.Deviations[i] > 0 ? Math.Abs(values[i] - Manifest.Means[i]) / Manifest.Deviations[i] : 0))
            .Where(p => p.Z > 2)
            .OrderByDescending(p => p.Z)
            .Select(p => p.Index);

    /// <summary>Whether the model takes the network features after the others (<see cref="FeatureCatalog.WithNetwork"/>).</summary>
    public bool UsesNetworkFeatures => FeatureCatalog.UsesNetwork(Manifest.Features) == true;

    // Every feature set is a prefix of WithNetwork, so a feature's index names it in either.
    private static string[] Describe(IpFeatureRow row, IEnumerable<int> order, int count) =>
        [.. order.Select(i => FeatureCatalog.WithNetwork[i].Describe(row)).OfType<string>().Distinct(StringComparer.Ordinal).Take(count)];

    /// <summary>An anomaly model's raw score as the share of training addresses that scored lower.</summary>
    private double AnomalyShare(double raw)
    {
        var reference = Manifest.AnomalyReference ?? [];
        if (reference.Count == 0)
        {
            return 0;
        }

        var (low, high) = (0, reference.Count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (reference[middle] < raw)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low / (double)reference.Count;
    }

    private sealed class ModelInput
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private sealed class SupervisedOutput
    {
        public float Probability { get; set; }

        public float[] FeatureContributions { get; set; } = [];
    }

    private sealed class AnomalyOutput
    {
        public float Score { get; set; }
    }
}
