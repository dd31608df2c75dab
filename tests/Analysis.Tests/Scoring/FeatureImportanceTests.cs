using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Tests.Scoring;

/// <summary>Permutation importance, measured at training on the held-out days and stored in the manifest.</summary>
public sealed class FeatureImportanceTests(SimulatedWeekFixture week) : IClassFixture<SimulatedWeekFixture>
{
    private static readonly DateOnly LastTrainingDay = SimulatedWeekFixture.Scored.AddDays(-1);

    [Fact]
    public async Task TheManifestRanksEveryFeatureByWhatShufflingItCostsOnTheHeldOutDays()
    {
        var model = await TrainAsync();
        var importance = model.Manifest.Importance;

        Assert.NotNull(importance);
        Assert.Equal(FeatureCatalog.Names.Order(StringComparer.Ordinal), importance.Select(i => i.Feature).Order(StringComparer.Ordinal));
        Assert.Equal(importance.OrderByDescending(i => i.RocAucDrop).Select(i => i.RocAucDrop), importance.Select(i => i.RocAucDrop));
        // The simulated harvesters and probes are told apart by what they try: something the model uses must matter.
        Assert.True(importance[0].RocAucDrop > 0.005, $"the most important feature, {importance[0].Feature}, costs only {importance[0].RocAucDrop}");
        Assert.Equal(importance, ModelManifest.FromJson(model.Manifest.ToJson()).Importance);
    }

    [Fact]
    public async Task AFeatureThatNeverVariesCostsNothingAndTheSameSeedGivesTheSameFigures()
    {
        var model = await TrainAsync();
        var rows = await RowsAsync(SimulatedWeekFixture.Scored);
        var constant = FeatureCatalog.IndexOf("helo_bare_word");
        // Any labels of both kinds will do; the feature is held at one value, so shuffling it changes no row.
        var labelled = rows.Select((row, i) => (Row: row with { Values = WithValue(row.Values, constant, 1f) }, Bad: i % 3 == 0)).ToList();

        var first = FeatureImportance.Measure(model, labelled, seed: 7);
        var second = FeatureImportance.Measure(model, labelled, seed: 7);

        Assert.NotNull(first);
        Assert.Equal(0, first.Single(i => i.Feature == "helo_bare_word").RocAucDrop);
        Assert.Equal(first, second);
        Assert.Null(FeatureImportance.Measure(model, [.. labelled.Select(l => (l.Row, Bad: true))], seed: 7));
    }

    private Task<ReputationModel> TrainAsync() =>
        new ModelTrainer(week.Store, new EstateSettings(), new ScoringSettings(), TimeProvider.System)
            .TrainAsync(SimulatedWeekFixture.First, LastTrainingDay, CancellationToken.None);

    private async Task<List<IpFeatureRow>> RowsAsync(DateOnly day) =>
        await FeatureQuery.ReadDaysAsync(week.Store, new EstateSettings(), day, day, CancellationToken.None);

    private static float[] WithValue(float[] values, int index, float value)
    {
        var copy = (float[])values.Clone();
        copy[index] = value;
        return copy;
    }
}
