using RelayWatch.Reports.Content;
using RelayWatch.Store;

namespace RelayWatch.Reports.Sections;

/// <summary>Reads the day's IP scores by the model that scored it last: distribution, the worst addresses, drift.</summary>
internal static class ScoreReader
{
    public const int Bands = 20;

    public static async Task<ScoreSection?> ReadAsync(ReportContext context, BlocklistLookup blocklist, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(context.Parameters) { ["top"] = context.Settings.TopScores.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var model = await context.Store.QueryScalarAsync(
            "SELECT argMax(model, created_at) FROM ip_scores WHERE day = {day:Date} HAVING count() > 0", parameters, cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return null;
        }

        parameters["model"] = model;
        // Scores are Float32: 0.95 is stored as 0.9499999881, which belongs in the band that prints as 0.95.
        var bands = await context.Store.QueryListAsync(
            $"SELECT least(toUInt32(floor(toFloat64(score) * {Bands} + 1e-6)), {Bands - 1}) AS band, count() FROM ip_scores WHERE day = {{day:Date}} AND model = {{model:String}} GROUP BY band",
            parameters, cancellationToken).ConfigureAwait(false);
        var histogram = new long[Bands];
        foreach (var row in bands)
        {
            histogram[int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture)] = Values.Long(row[1]);
        }

        var counts = await context.Store.QueryListAsync(
            "SELECT count(), countIf(score >= 0.5), countIf(score >= 0.95) FROM ip_scores WHERE day = {day:Date} AND model = {model:String}",
            parameters, cancellationToken).ConfigureAwait(false);
        var top = await context.Store.QueryListAsync(
            "SELECT ip, score, toJSONString(reasons) FROM ip_scores WHERE day = {day:Date} AND model = {model:String} ORDER BY score DESC, ip LIMIT {top:UInt32}",
            parameters, cancellationToken).ConfigureAwait(false);
        var manifest = await context.Store.QueryListAsync(
            """
            SELECT kind, JSONExtractString(manifest, 'trainingWindow', 'first'), JSONExtractString(manifest, 'trainingWindow', 'last')
            FROM ip_models WHERE version = {model:String} LIMIT 1
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        var drift = await context.Store.QueryScalarAsync(
            "SELECT toJSONString(argMax(drift_warnings, created_at)) FROM score_runs WHERE day = {day:Date} AND model = {model:String} HAVING count() > 0",
            parameters, cancellationToken).ConfigureAwait(false);

        return new ScoreSection(
            model,
            manifest.Count == 0 ? null : manifest[0][0],
            manifest.Count == 0 || manifest[0][1].Length == 0 ? null : Values.Day(manifest[0][1]),
            manifest.Count == 0 || manifest[0][2].Length == 0 ? null : Values.Day(manifest[0][2]),
            Values.Long(counts[0][0]), Values.Long(counts[0][1]), Values.Long(counts[0][2]),
            histogram,
            [.. top.Select(r => new ScoreSection.Address(
                r[0], Math.Round(Values.Double(r[1]), 4),
                [.. (System.Text.Json.JsonSerializer.Deserialize<string[]>(r[2]) ?? []).Select(reason => Values.Shown(reason, 200))],
                blocklist.StateOf(r[0])))],
            drift is null ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(drift) ?? []);
    }
}
