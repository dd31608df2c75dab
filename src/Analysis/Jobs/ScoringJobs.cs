using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Logging;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Jobs;

/// <summary>The estate and scoring settings the scheduled jobs run with.</summary>
public sealed record ScoringJobSettings(EstateSettings Estate, ScoringSettings Scoring);

/// <summary>
/// The reputation model as Hangfire jobs: every night, after detection has closed yesterday, score
/// yesterday; every week, retrain on the window ending yesterday. When there is no model trained
/// before the day to score yet, the nightly job trains one first.
/// </summary>
public sealed class ScoringJobs(IClickHouseStore store, ScoringJobSettings settings, JobStorage jobs, TimeProvider time, ILogger<ScoringJobs> logger)
{
    private const string LockResource = "relaywatch:scoring";
    public const string DailyJobId = "score-daily";
    public const string WeeklyTrainingJobId = "train-weekly";

    /// <summary>At 00:45 UTC, after the detection close of 00:30 (the history features read yesterday's findings).</summary>
    public const string DailyCron = "45 0 * * *";

    /// <summary>Sundays at 02:00 UTC.</summary>
    public const string WeeklyTrainingCron = "0 2 * * 0";

    [AutomaticRetry(Attempts = 3)]
    public async Task<string> ScoreYesterdayAsync(CancellationToken cancellationToken)
    {
        var day = Yesterday();
        using var connection = jobs.GetConnection();
        using var lease = connection.AcquireDistributedLock(LockResource, TimeSpan.FromHours(1));
        var trained = string.Empty;
        if (await ModelRepository.NewestAsync(store, day, cancellationToken).ConfigureAwait(false) is null)
        {
            var model = await TrainAsync(day.AddDays(-1), cancellationToken).ConfigureAwait(false);
            trained = $"trained {model.Manifest.Version} first (there was none before {day:yyyy-MM-dd}); ";
        }

        var run = await new IpScorer(store, settings.Estate, settings.Scoring).ScoreAsync(day, null, 0, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture,
            $"{trained}{day:yyyy-MM-dd}: {run.Scored} addresses scored with {run.Model.Version}; {(run.DriftWarnings.Count == 0 ? "no drift" : "drift: " + string.Join("; ", run.DriftWarnings))}");
    }

    [AutomaticRetry(Attempts = 2)]
    public async Task<string> TrainWeeklyAsync(CancellationToken cancellationToken)
    {
        using var connection = jobs.GetConnection();
        using var lease = connection.AcquireDistributedLock(LockResource, TimeSpan.FromHours(2));
        var model = await TrainAsync(Yesterday(), cancellationToken).ConfigureAwait(false);
        var metrics = model.Manifest.Evaluation;
        return string.Create(CultureInfo.InvariantCulture,
            $"{model.Manifest.Version} ({model.Manifest.Kind}) on {model.Manifest.TrainingWindow.First:yyyy-MM-dd}..{model.Manifest.TrainingWindow.Last:yyyy-MM-dd}{(metrics is null ? string.Empty : $"; ROC AUC {metrics.RocAuc:F3}, recall {metrics.RecallAtFpr01:F3} at 0.1% false positives")}");
    }

    private async Task<ReputationModel> TrainAsync(DateOnly last, CancellationToken cancellationToken)
    {
        var first = last.AddDays(1 - Math.Max(2, settings.Scoring.TrainingDays));
        var model = await new ModelTrainer(store, settings.Estate, settings.Scoring, time).TrainAsync(first, last, cancellationToken).ConfigureAwait(false);
        await ModelRepository.SaveAsync(store, model, cancellationToken).ConfigureAwait(false);
        Log.ModelTrained(logger, model.Manifest.Version, first, last);
        return model;
    }

    private DateOnly Yesterday() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1);
}
