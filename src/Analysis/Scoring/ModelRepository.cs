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

    /// <summary>The manifests of every stored model, newest first.</summary>
    public static async Task<IReadOnlyList<ModelManifest>> ListAsync(IClickHouseStore store, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync("SELECT manifest FROM ip_models ORDER BY trained_at DESC, version DESC", null, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => ModelManifest.FromJson(r[0]))];
    }

    /// <summary>
    /// The model to score <paramref name="day"/> with: the one named, or the newest whose training window
    /// ends before that day (a model never scores a day it learnt from). Null when there is none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The named model learnt from <paramref name="day"/>.</exception>
    public static async Task<ReputationModel?> FindForDayAsync(IClickHouseStore store, DateOnly day, string? version, CancellationToken cancellationToken)
    {
        var manifest = (await ListAsync(store, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(m => version is null ? m.TrainingWindow.Last < day : m.Version == version);
        if (manifest is null)
        {
            return null;
        }

        if (manifest.TrainingWindow.Last >= day)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Model {manifest.Version} learnt from {manifest.TrainingWindow.First:yyyy-MM-dd} to {manifest.TrainingWindow.Last:yyyy-MM-dd}, so it cannot score {day:yyyy-MM-dd} honestly; pick a model trained before that day."));
        }

        var encoded = await store.QueryScalarAsync(
            "SELECT model FROM ip_models WHERE version = {version:String} ORDER BY trained_at DESC LIMIT 1",
            new Dictionary<string, string> { ["version"] = manifest.Version },
            cancellationToken).ConfigureAwait(false);
        return ReputationModel.FromBytes(Convert.FromBase64String(encoded!), manifest);
    }
}
