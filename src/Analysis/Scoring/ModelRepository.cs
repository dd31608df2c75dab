using System.Globalization;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Scoring;

/// <summary>The <c>ip_models</c> table: every trained model with its manifest, so any process that reads the store scores alike.</summary>
public static class ModelRepository
{
    public static async Task SaveAsync(IClickHouseStore store, ReputationModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(model);
        var manifest = model.Manifest;
        await store.InsertRowAsync("ip_models", new Dictionary<string, object>
        {
            ["version"] = manifest.Version,
            ["kind"] = manifest.Kind,
            ["trained_at"] = manifest.TrainedAt.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["manifest"] = manifest.ToJson(),
            ["model"] = Convert.ToBase64String(model.ToBytes()),
        }, cancellationToken).ConfigureAwait(false);
    }

    // A model's training window as the manifest stores it: "trainingWindow": {"first": "2026-11-17", "last": "2026-11-21"}.
    private const string LearntUpTo = "JSONExtractString(manifest, 'trainingWindow', 'last')";

    /// <summary>The newest model's manifest, or the newest one that learnt only from days before <paramref name="before"/>; null when there is none.</summary>
    public static async Task<ModelManifest?> NewestAsync(IClickHouseStore store, DateOnly? before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var manifest = await store.QueryScalarAsync(
            $"SELECT manifest FROM ip_models WHERE {(before is null ? "1" : LearntUpTo + " < {day:String}")} ORDER BY trained_at DESC, version DESC LIMIT 1",
            new Dictionary<string, string> { ["day"] = (before ?? default).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            cancellationToken).ConfigureAwait(false);
        return manifest is null ? null : ModelManifest.FromJson(manifest);
    }

    /// <summary>
    /// The model to score <paramref name="day"/> with: the one named, or the newest whose training window
    /// ends before that day (a model never scores a day it learnt from). Null when there is none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The named model learnt from <paramref name="day"/>.</exception>
    public static async Task<ReputationModel?> FindForDayAsync(IClickHouseStore store, DateOnly day, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = await store.QueryListAsync(
            $"SELECT manifest, model FROM ip_models WHERE {(version is null ? LearntUpTo + " < {day:String}" : "version = {version:String}")} ORDER BY trained_at DESC, version DESC LIMIT 1",
            new Dictionary<string, string> { ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["version"] = version ?? string.Empty },
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var manifest = ModelManifest.FromJson(rows[0][0]);
        if (manifest.TrainingWindow.Last >= day)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Model {manifest.Version} learnt from {manifest.TrainingWindow.First:yyyy-MM-dd} to {manifest.TrainingWindow.Last:yyyy-MM-dd}, so it cannot score {day:yyyy-MM-dd} honestly; pick a model trained before that day."));
        }

        return ReputationModel.FromBytes(Convert.FromBase64String(rows[0][1]), manifest);
    }
}
