using System.Globalization;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Evaluation;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Store;
using RelayWatch.Store.Audit;

namespace RelayWatch.Analysis.Tests.Scoring;

/// <summary>Training on simulated history and scoring the next day, as <c>relaywatch train</c> and <c>score</c> do.</summary>
public sealed class ReputationModelTests(SimulatedWeekFixture week) : IClassFixture<SimulatedWeekFixture>
{
    private static readonly DateOnly LastTrainingDay = SimulatedWeekFixture.Scored.AddDays(-1);

    private Task<ReputationModel> TrainAsync(ScoringSettings? settings = null) =>
        new ModelTrainer(week.Store, new EstateSettings(), settings ?? new ScoringSettings(), TimeProvider.System)
            .TrainAsync(SimulatedWeekFixture.First, LastTrainingDay, CancellationToken.None);

    [Fact]
    public async Task TheModelLearnsOnlyFromEarlierDaysAndIsMeasuredOnTheLaterOnes()
    {
        var model = await TrainAsync();
        var manifest = model.Manifest;

        Assert.Equal(ModelKinds.Supervised, manifest.Kind);
        Assert.Equal(SimulatedWeekFixture.First, manifest.TrainingWindow.First);
        Assert.True(manifest.TrainingWindow.Last < manifest.EvaluationWindow!.First);
        Assert.Equal(LastTrainingDay, manifest.EvaluationWindow.Last);
        Assert.Equal(FeatureCatalog.Names, manifest.Features);
        Assert.NotNull(manifest.Evaluation);
        Assert.True(manifest.Evaluation.RocAuc > 0.95, $"ROC AUC {manifest.Evaluation.RocAuc}");
        Assert.Contains(manifest.LabelSources.Keys, k => k.StartsWith("finding:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSameDataAndSeedGiveTheSameModel()
    {
        var first = await TrainAsync();
        var second = await TrainAsync();

        Assert.Equal(first.Manifest.Evaluation, second.Manifest.Evaluation);
        var rows = await FeaturesAsync(SimulatedWeekFixture.Scored);
        Assert.Equal(first.Score(rows, 3), second.Score(rows, 3), new ScoreComparer());
    }

    [Fact]
    public async Task AStoredModelScoresExactlyAsTheOneInMemory()
    {
        var model = await TrainAsync();
        await ModelRepository.SaveAsync(week.Store, model, CancellationToken.None);

        var loaded = await ModelRepository.FindForDayAsync(week.Store, SimulatedWeekFixture.Scored, model.Manifest.Version, CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(model.Manifest.ToJson(), loaded.Manifest.ToJson());
        var rows = await FeaturesAsync(SimulatedWeekFixture.Scored);
        Assert.Equal(model.Score(rows, 3), loaded.Score(rows, 3), new ScoreComparer());
    }

    [Fact]
    public async Task ScoringWritesEveryAddressWithReasonsAndRecordsTheRun()
    {
        var model = await TrainAsync();
        await ModelRepository.SaveAsync(week.Store, model, CancellationToken.None);

        var run = await new IpScorer(week.Store, new EstateSettings(), new ScoringSettings())
            .ScoreAsync(SimulatedWeekFixture.Scored, model.Manifest.Version, top: 10, CancellationToken.None);

        var parameters = new Dictionary<string, string> { ["day"] = Day(SimulatedWeekFixture.Scored), ["model"] = model.Manifest.Version };
        var stored = await week.Store.QueryScalarAsync("SELECT count() FROM ip_scores WHERE day = {day:Date} AND model = {model:String}", parameters, CancellationToken.None);
        Assert.Equal(run.Scored.ToString(CultureInfo.InvariantCulture), stored);
        Assert.Equal((await FeaturesAsync(SimulatedWeekFixture.Scored)).Count, run.Scored);
        Assert.Equal(10, run.Top.Count);
        Assert.All(run.Top, s => Assert.NotEmpty(s.Reasons));
        Assert.True(run.Top[0].Score >= run.Top[^1].Score);
        var runs = await week.Store.QueryScalarAsync("SELECT count() FROM score_runs WHERE day = {day:Date} AND model = {model:String}", parameters, CancellationToken.None);
        Assert.Equal("1", runs);
    }

    [Fact]
    public async Task WithNetworkFeaturesOnAndNoContextTheModelLearnsTheLongerSetAndScoresEveryAddressWithIt()
    {
        var model = await TrainAsync(new ScoringSettings { NetworkFeatures = true });
        await ModelRepository.SaveAsync(week.Store, model, CancellationToken.None);

        Assert.Equal(FeatureCatalog.NetworkNames, model.Manifest.Features);
        Assert.Equal(FeatureCatalog.NetworkVersion, model.Manifest.FeatureSet);
        Assert.True(model.UsesNetworkFeatures);
        // Scoring computes the set the model learnt, whatever the setting says now.
        var run = await new IpScorer(week.Store, new EstateSettings(), new ScoringSettings())
            .ScoreAsync(SimulatedWeekFixture.Scored, model.Manifest.Version, top: 10, CancellationToken.None);
        var rows = await FeaturesAsync(SimulatedWeekFixture.Scored);
        Assert.Equal(rows.Count, run.Scored);
        Assert.All(run.Top, s => Assert.DoesNotContain(s.Reasons, r => r.Contains("its network", StringComparison.Ordinal)));
        var refused = Assert.Throws<InvalidOperationException>(() => model.Score(rows, 3));
        Assert.Equal(
            string.Create(CultureInfo.InvariantCulture, $"Model {model.Manifest.Version} takes {FeatureCatalog.NetworkNames.Count} features (ip-features-2+as-1) but the rows of {rows[0].Ip} carry {FeatureCatalog.Names.Count}; compute them with the model's feature set."),
            refused.Message);
    }

    [Fact]
    public async Task ScoringTheSameDayAgainReplacesItsScores()
    {
        var model = await TrainAsync();
        await ModelRepository.SaveAsync(week.Store, model, CancellationToken.None);
        var scorer = new IpScorer(week.Store, new EstateSettings(), new ScoringSettings());

        var first = await scorer.ScoreAsync(SimulatedWeekFixture.Scored, model.Manifest.Version, 5, CancellationToken.None);
        await scorer.ScoreAsync(SimulatedWeekFixture.Scored, model.Manifest.Version, 5, CancellationToken.None);

        var parameters = new Dictionary<string, string> { ["day"] = Day(SimulatedWeekFixture.Scored), ["model"] = model.Manifest.Version };
        var stored = await week.Store.QueryScalarAsync("SELECT count() FROM ip_scores WHERE day = {day:Date} AND model = {model:String}", parameters, CancellationToken.None);
        Assert.Equal(first.Scored.ToString(CultureInfo.InvariantCulture), stored);
    }

    [Fact]
    public async Task AModelNeverScoresADayItLearntFrom()
    {
        var model = await TrainAsync();
        await ModelRepository.SaveAsync(week.Store, model, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new IpScorer(week.Store, new EstateSettings(), new ScoringSettings()).ScoreAsync(SimulatedWeekFixture.First, model.Manifest.Version, 5, CancellationToken.None));

        Assert.Contains("cannot score", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTooFewLabelsAnAnomalyModelScoresAndSaysSo()
    {
        var model = await TrainAsync(new ScoringSettings { MinimumLabelsPerClass = 1_000_000 });

        Assert.Equal(ModelKinds.Anomaly, model.Manifest.Kind);
        Assert.StartsWith("pca-", model.Manifest.Version, StringComparison.Ordinal);
        var scores = model.Score(await FeaturesAsync(SimulatedWeekFixture.Scored), 3);
        Assert.All(scores, s => Assert.InRange(s.Score, 0, 1));
        Assert.Contains(scores, s => s.Reasons.Count > 0);
    }

    [Fact]
    public async Task OnADayItNeverSawTheModelRanksTheTruthsAttackersFirstAndDoesAtLeastAsWellAsAnySingleRule()
    {
        var model = await TrainAsync();
        var rows = await FeaturesAsync(SimulatedWeekFixture.Scored);

        var evaluation = ModelEvaluation.Evaluate(week.TruthLines, model.Score(rows, 0), rows);

        Assert.True(evaluation.All.Positives > 50 && evaluation.All.Negatives > 50, $"{evaluation.All.Positives} attackers, {evaluation.All.Negatives} legitimate");
        Assert.True(evaluation.All.RocAuc >= 0.99, $"ROC AUC {evaluation.All.RocAuc}");
        Assert.True(evaluation.All.RecallAtFpr1 >= 0.9, $"recall at 1% {evaluation.All.RecallAtFpr1}");
        Assert.True(evaluation.LowAndSlow.Positives > 20, $"{evaluation.LowAndSlow.Positives} low-and-slow attackers");
        Assert.True(evaluation.LowAndSlow.RecallAtFpr01 >= 0.9, $"recall on low-and-slow at 0.1% {evaluation.LowAndSlow.RecallAtFpr01}");
        Assert.True(
            evaluation.LowAndSlow.RecallAtFpr01 >= evaluation.BestRuleLowAndSlow.RecallAtFpr01,
            $"model {evaluation.LowAndSlow.RecallAtFpr01} against {evaluation.BestRuleLowAndSlow.Feature} alone {evaluation.BestRuleLowAndSlow.RecallAtFpr01}");
    }

    [Fact]
    public async Task AnAnalystsVerdictOutranksTheFindingsAndTheAllowlistOutranksTheRules()
    {
        var rows = await FeaturesAsync(SimulatedWeekFixture.Scored);
        var automatic = await LabelBook.LoadAsync(week.Store, new ScoringSettings(), SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        var flagged = rows.First(r => automatic.LabelOf(r).Source.StartsWith("finding:", StringComparison.Ordinal));
        var listed = rows.First(r => automatic.LabelOf(r).Source == "dnsbl");
        var quiet = rows.First(r => automatic.LabelOf(r).Source == "unlabelled");
        try
        {
            await AnalystLabels.AddAsync(week.Store, flagged.Ip, AnalystLabel.Good, "our partner's test", "analyst", TimeProvider.System, CancellationToken.None);
            await AnalystLabels.AddAsync(week.Store, quiet.Network, AnalystLabel.Bad, null, "analyst", TimeProvider.System, CancellationToken.None);

            var labels = await LabelBook.LoadAsync(week.Store, new ScoringSettings(), SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);

            Assert.Equal(new SenderLabel(false, "analyst"), labels.LabelOf(flagged));
            Assert.Equal(new SenderLabel(true, "analyst"), labels.LabelOf(quiet));
        }
        finally
        {
            // Withdrawn, so the other tests of this class train without them (the history keeps them).
            await AnalystLabels.AddAsync(week.Store, flagged.Ip, AnalystLabel.Cleared, null, "analyst", TimeProvider.System, CancellationToken.None);
            await AnalystLabels.AddAsync(week.Store, quiet.Network, AnalystLabel.Cleared, null, "analyst", TimeProvider.System, CancellationToken.None);
        }

        Assert.Empty(await AnalystLabels.InForceAsync(week.Store, CancellationToken.None));
        var allowlisted = await LabelBook.LoadAsync(week.Store, new ScoringSettings { Allowlist = [listed.Ip], LabelDnsblRefusals = true }, SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        Assert.Equal(new SenderLabel(false, "allowlist"), allowlisted.LabelOf(listed));
        var withoutDnsbl = await LabelBook.LoadAsync(week.Store, new ScoringSettings { LabelDnsblRefusals = false }, SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        // Without its DNSBL refusals a bot is not bad; a bot of a botnet sharing a sender pattern across networks
        // is a campaign of new addresses, left out rather than taken as good.
        var unlisted = withoutDnsbl.LabelOf(listed);
        Assert.False(unlisted.Bad);
        Assert.Contains(unlisted.Source, new[] { "unlabelled", "campaign" });
        Assert.Equal(unlisted.Source == "unlabelled", unlisted.Learnt);
    }

    [Fact]
    public async Task AFindingAnAnalystDismissedTeachesTheModelItsSenderIsGood()
    {
        var rows = await FeaturesAsync(SimulatedWeekFixture.Scored);
        var before = await LabelBook.LoadAsync(week.Store, new ScoringSettings(), SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        var findings = await RelayWatch.Analysis.Detection.Finding.ReadAsync(week.Store, SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        // An address one finding alone names, by its own address: dismissing that finding leaves nothing else calling it bad.
        var (row, finding) = rows
            .Select(r => (Row: r, Naming: findings.Where(f => f.Subject == r.Ip).ToList()))
            .Where(x => x.Naming.Count == 1 && before.LabelOf(x.Row) == new SenderLabel(true, "finding:" + x.Naming[0].Detector))
            .Select(x => (x.Row, x.Naming[0]))
            .First();
        var at = DateTime.UtcNow;
        try
        {
            await FindingDismissals.RecordAsync(week.Store, finding.Day, finding.Detector, finding.Subject, FindingDismissals.Dismissed, "our partner's test run", "analyst", at, CancellationToken.None);

            var after = await LabelBook.LoadAsync(week.Store, new ScoringSettings(), SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);

            Assert.Equal(new SenderLabel(false, "dismissed:" + finding.Detector), after.LabelOf(row));
        }
        finally
        {
            // Restored, so the other tests of this class train on the findings as detected.
            await FindingDismissals.RecordAsync(week.Store, finding.Day, finding.Detector, finding.Subject, FindingDismissals.Restored, string.Empty, "analyst", at.AddSeconds(1), CancellationToken.None);
        }

        var restored = await LabelBook.LoadAsync(week.Store, new ScoringSettings(), SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        Assert.Equal(new SenderLabel(true, "finding:" + finding.Detector), restored.LabelOf(row));
    }

    [Fact]
    public async Task TheBlocklistFromFindingsAndScoresListsTheAttackersAndNoLegitimateSender()
    {
        var model = await TrainAsync();
        await ModelRepository.SaveAsync(week.Store, model, CancellationToken.None);
        await new IpScorer(week.Store, new EstateSettings(), new ScoringSettings()).ScoreAsync(SimulatedWeekFixture.Scored, model.Manifest.Version, 0, CancellationToken.None);
        var now = SimulatedWeekFixture.Scored.AddDays(1).ToDateTime(new TimeOnly(1, 0), DateTimeKind.Utc);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(now));
        var settings = new RelayWatch.Analysis.Blocklists.BlocklistSettings();

        var update = await new RelayWatch.Analysis.Blocklists.BlocklistUpdater(week.Store, settings, new EstateSettings(), clock).UpdateAsync(SimulatedWeekFixture.Scored, CancellationToken.None);
        var published = await RelayWatch.Analysis.Blocklists.BlocklistExport.PublishedAsync(week.Store, settings, new EstateSettings(), now, CancellationToken.None);
        var findings = await RelayWatch.Analysis.Detection.Finding.ReadAsync(week.Store, SimulatedWeekFixture.Scored, SimulatedWeekFixture.Scored, CancellationToken.None);
        var evaluation = BlocklistEvaluation.Evaluate(week.TruthLines, published, findings, settings);

        Assert.True(evaluation.Published > 20, $"{evaluation.Published} published");
        Assert.Empty(evaluation.LegitimateListed);
        Assert.All(evaluation.NotPublished, missing => Assert.Contains(update.Review, r => r.Subject == missing));
        // The spam bots no detector names come in through their scores.
        Assert.Contains(published, e => e.Sources.Any(s => s.StartsWith("score:", StringComparison.Ordinal)) && e.Subject.StartsWith("198.19.", StringComparison.Ordinal));
    }

    private async Task<List<IpFeatureRow>> FeaturesAsync(DateOnly day) =>
        await FeatureQuery.ReadDaysAsync(week.Store, new EstateSettings(), day, day, CancellationToken.None);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class ScoreComparer : IEqualityComparer<IpScore>
    {
        public bool Equals(IpScore? x, IpScore? y) =>
            x is not null && y is not null && x.Ip == y.Ip && x.Score.Equals(y.Score) && x.Reasons.SequenceEqual(y.Reasons);

        public int GetHashCode(IpScore obj) => obj.Ip.GetHashCode(StringComparison.Ordinal);
    }
}
