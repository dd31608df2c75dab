using System.Globalization;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Analysis.Scoring;

/// <summary>What one scoring run did.</summary>
/// <param name="Top">The worst-scored addresses, worst first.</param>
/// <param name="DriftChecked">False when the day had too few addresses to compare with the training window.</param>
public sealed record ScoreRun(DateOnly Day, ModelManifest Model, long Scored, IReadOnlyList<IpScore> Top, bool DriftChecked, IReadOnlyList<string> DriftWarnings, double MaxPsi);

/// <summary>
/// Scores every external address of a day with a stored model and writes <c>ip_scores</c> (replacing
/// that day's scores by the same model) and a <c>score_runs</c> row with the drift check. Streams in
/// chunks, so a day of a million addresses needs no more memory than a chunk.
/// </summary>
public sealed class IpScorer(IClickHouseStore store, EstateSettings estate, ScoringSettings settings)
{
    private const int ChunkSize = 50_000;

    private static readonly string[] ScoreColumns = ["day", "ip", "score", "model", "reasons", "run"];

    /// <exception cref="InvalidOperationException">There is no model that learnt only from days before <paramref name="day"/>; the message says what to run.</exception>
    public async Task<ScoreRun> ScoreAsync(DateOnly day, string? version, int top, CancellationToken cancellationToken)
    {
        var model = await ModelRepository.FindForDayAsync(store, day, version, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException(version is null
                ? string.Create(CultureInfo.InvariantCulture, $"No model has been trained on days before {day:yyyy-MM-dd}; run relaywatch train --to {day.AddDays(-1):yyyy-MM-dd} first.")
                : $"There is no model {version}; relaywatch train lists the versions it makes, and ip_models holds them all.");
        var ours = await EstateResolver.ResolveAsync(store, estate, day, cancellationToken).ConfigureAwait(false);
        return await ScoreRowsAsync(model, day, FeatureQuery.ReadAsync(store, ours, day, model.UsesNetworkFeatures, cancellationToken), top, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scores <paramref name="rows"/> (a day's features) with <paramref name="model"/>, replacing the day's scores by it.</summary>
    internal async Task<ScoreRun> ScoreRowsAsync(ReputationModel model, DateOnly day, IAsyncEnumerable<IpFeatureRow> rows, int top, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>
        {
            ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["model"] = model.Manifest.Version,
            ["run"] = Guid.NewGuid().ToString("N"),
        };

        var drift = new DriftCheck(model.Manifest, day, settings.DriftWarningPsi);
        // A min-heap of the worst so far: the mildest of them leaves first; equal scores keep the lower address.
        var worst = new PriorityQueue<IpScore, (double Score, string Ip)>(Comparer<(double Score, string Ip)>.Create(
            (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : string.CompareOrdinal(b.Ip, a.Ip)));
        long scored = 0;
        var chunk = new List<IpFeatureRow>(ChunkSize);
        async Task FlushAsync()
        {
            var scores = model.Score(chunk, settings.ReasonsPerAddress);
            for (var i = 0; i < scores.Count; i++)
            {
                drift.Add(chunk[i], scores[i].Score);
                worst.Enqueue(scores[i], (scores[i].Score, scores[i].Ip));
                if (worst.Count > top)
                {
                    worst.Dequeue();
                }
            }

            await WriteAsync(scores, model.Manifest.Version, parameters["run"], cancellationToken).ConfigureAwait(false);
            scored += scores.Count;
            chunk.Clear();
        }

        // The day's earlier scores stay until this run's are all written (a failed run takes its own back).
        await RunReplacing.InsertThenReplaceAsync(store, "ip_scores", "day = {day:Date} AND model = {model:String}", parameters, async _ =>
        {
            await foreach (var row in rows.ConfigureAwait(false))
            {
                chunk.Add(row);
                if (chunk.Count == ChunkSize)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }

            if (chunk.Count > 0)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);

        var warnings = drift.Warnings();
        await RecordRunAsync(day, model.Manifest.Version, scored, warnings, drift.MaxPsi, cancellationToken).ConfigureAwait(false);
        var list = new List<IpScore>();
        while (worst.TryDequeue(out var score, out _))
        {
            list.Add(score);
        }

        list.Reverse();
        return new ScoreRun(day, model.Manifest, scored, list, drift.Checked, warnings, drift.MaxPsi);
    }

    private Task WriteAsync(IReadOnlyList<IpScore> scores, string version, string run, CancellationToken cancellationToken) =>
        store.InsertAsync(new BulkInsert("ip_scores", ScoreColumns), async (stream, token) =>
        {
            var rows = new RowBinaryWriter();
            foreach (var score in scores)
            {
                rows.WriteDate(score.Day);
                rows.WriteString(score.Ip);
                rows.WriteFloat32((float)score.Score);
                rows.WriteString(version);
                rows.WriteStringArray(score.Reasons);
                rows.WriteString(run);
            }

            await stream.WriteAsync(rows.WrittenMemory, token).ConfigureAwait(false);
        }, cancellationToken);

    private Task RecordRunAsync(DateOnly day, string version, long scored, IReadOnlyList<string> warnings, double maxPsi, CancellationToken cancellationToken) =>
        store.InsertRowAsync("score_runs", new Dictionary<string, object>
        {
            ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["model"] = version,
            ["scored"] = scored,
            ["drift_warnings"] = warnings,
            ["max_psi"] = Math.Round(maxPsi, 4),
        }, cancellationToken);
}
