using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The reputation model's page, <c>/model</c>: every stored version with its windows, labels and held-out
/// measures; the newest one's label sources and feature importance (permutation importance on its
/// evaluation window, measured at training); and each scoring run's drift check against its model's
/// training window (<c>score_runs</c>).
/// </summary>
internal static class ModelPage
{
    /// <summary>Versions and scoring runs shown, newest first.</summary>
    private const int Shown = 30;

    public const string NoModel = "No model has been trained yet: run relaywatch train (or let the weekly training job run) once the store holds at least two days of traffic.";

    public static void Map(WebApplication app) => app.MapGet("/model", (Delegate)ModelAsync);

    private static async Task<IResult> ModelAsync(HttpContext context, IClickHouseStore store, CancellationToken cancellationToken)
    {
        var limit = new Dictionary<string, string> { ["limit"] = Shown.ToString(CultureInfo.InvariantCulture) };
        // Only the newest manifest is read whole: an anomaly model's holds every training score.
        if (await ModelRepository.NewestAsync(store, null, cancellationToken).ConfigureAwait(false) is not { } newest)
        {
            return Html.Page(context, "Model", $"<p>{Html.Text(NoModel)}</p>");
        }

        var versions = await store.QueryListAsync(
            """
            SELECT version, kind, formatDateTime(trained_at, '%Y-%m-%d %H:%i'),
                   concat(JSONExtractString(manifest, 'trainingWindow', 'first'), ' to ', JSONExtractString(manifest, 'trainingWindow', 'last')),
                   if(JSONHas(manifest, 'evaluationWindow'), concat(JSONExtractString(manifest, 'evaluationWindow', 'first'), ' to ', JSONExtractString(manifest, 'evaluationWindow', 'last')), 'none'),
                   toString(JSONExtractInt(manifest, 'badLabels')), toString(JSONExtractInt(manifest, 'goodLabels')),
                   JSONExtractRaw(manifest, 'evaluation')
            FROM ip_models
            ORDER BY trained_at DESC, version DESC
            LIMIT {limit:UInt32}
            """, limit, cancellationToken).ConfigureAwait(false);
        var runs = await store.QueryListAsync(
            """
            SELECT toString(day), model, toString(scored), toString(round(max_psi, 3)), arrayStringConcat(drift_warnings, '; ')
            FROM score_runs
            ORDER BY day DESC, created_at DESC
            LIMIT {limit:UInt32}
            """, limit, cancellationToken).ConfigureAwait(false);

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p>Scoring uses <strong id=\"newest\">{Html.Text(newest.Version)}</strong> ({Html.Text(KindText(newest.Kind))}), learnt from {Window(newest.TrainingWindow)}, for the days after it.</p>");
        body.Append("<h2>Versions</h2><table><tr><th>version</th><th>kind</th><th>trained</th><th>learnt from</th><th>measured on</th><th>bad labels</th><th>good labels</th><th>ROC AUC</th><th>PR AUC</th><th>recall at 0.1 % FPR</th><th>recall at 1 % FPR</th></tr>");
        foreach (var row in versions)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Text(row[0])}</td><td>{Html.Text(row[1])}</td><td>{Html.Text(row[2])}</td><td>{Html.Text(row[3])}</td><td>{Html.Text(row[4])}</td>");
            body.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Html.Text(row[5])}</td><td class=\"num\">{Html.Text(row[6])}</td>");
            using var evaluation = JsonDocument.Parse(row[7].Length == 0 ? "null" : row[7]);
            var e = evaluation.RootElement;
            body.Append(e.ValueKind != JsonValueKind.Object
                ? "<td colspan=\"4\">not measured: the later days had no labels of one kind</td>"
                : $"<td class=\"num\">{Measure(e, "rocAuc")}</td><td class=\"num\">{Measure(e, "prAuc")}</td><td class=\"num\">{Measure(e, "recallAtFpr01")}</td><td class=\"num\">{Measure(e, "recallAtFpr1")}</td>");
            body.Append("</tr>");
        }

        body.Append("</table>");
        if (newest.Evaluation is { } measured)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p>Held out: {newest.Version} was measured on {measured.Positives} bad and {measured.Negatives} good senders of days it did not learn from.</p>");
        }

        body.Append("<h2>Where its labels came from</h2>");
        body.Append(ConsolePages.Table(["source", "addresses"],
            [.. newest.LabelSources.OrderByDescending(s => s.Value).Select(s => new[] { s.Key, s.Value.ToString(CultureInfo.InvariantCulture) })], numericFrom: 1));

        body.Append(CultureInfo.InvariantCulture, $"<h2>Feature importance of {Html.Text(newest.Version)}</h2>");
        body.Append(Importance(newest));

        body.Append("<h2>Drift of the scoring runs</h2>");
        body.Append(CultureInfo.InvariantCulture, $"<p>Population stability index of each day's features and scores against the model's training window: below 0.1 stable, 0.1 to 0.25 moving, above 0.25 a shift worth retraining for. A day with fewer than {DriftCheck.MinimumRows} addresses is not compared (largest PSI 0).</p>");
        body.Append(ConsolePages.Table(["day", "model", "addresses scored", "largest PSI", "warnings"], runs, numericFrom: 2, numericTo: 4));
        return Html.Page(context, "Model", body.ToString());
    }

    private static string Importance(ModelManifest model)
    {
        if (model.Importance is not { Count: > 0 } importance)
        {
            return model.Evaluation is null
                ? "<p>Not measured: its evaluation days had no labels of one kind to rank.</p>"
                : "<p>Not measured: this model was trained before RelayWatch measured feature importance; the next training measures it.</p>";
        }

        var meanings = FeatureCatalog.WithNetwork.ToDictionary(f => f.Name, f => f.Meaning, StringComparer.Ordinal);
        var table = new StringBuilder("<p>How much the held-out ROC AUC falls when the feature's values are shuffled among the evaluation days' senders (permutation importance): the larger, the more the ranking rests on it; near 0, the model does without it.</p>");
        table.Append("<table><tr><th>feature</th><th>ROC AUC lost</th><th>what it is</th></tr>");
        foreach (var feature in importance)
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Text(feature.Feature)}</td><td class=\"num\">{feature.RocAucDrop:0.0000}</td><td>{Html.Text(meanings.GetValueOrDefault(feature.Feature))}</td></tr>");
        }

        return table.Append("</table>").ToString();
    }

    private static string KindText(string kind) => kind switch
    {
        ModelKinds.Supervised => "boosted trees learnt from labels",
        ModelKinds.Anomaly => "an anomaly model: too few labels to learn from",
        _ => kind,
    };

    private static string Window(DayWindow window) => string.Create(CultureInfo.InvariantCulture, $"{window.First:yyyy-MM-dd} to {window.Last:yyyy-MM-dd}");

    /// <summary>A measure from the stored JSON: a number, or NaN written as a string (no pair of both kinds to rank).</summary>
    private static string Measure(JsonElement evaluation, string name) =>
        evaluation.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString("0.000", CultureInfo.InvariantCulture)
            : "n/a";
}
