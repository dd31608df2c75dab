using System.Globalization;
using RelayWatch.Reports.Content;
using RelayWatch.Store;

namespace RelayWatch.Reports.Sections;

/// <summary>Reads what ingest made of each file, the silences in each relay's log, and clock skew between hosts.</summary>
internal static class DataQualityReader
{
    /// <summary>
    /// A silence is reported when the relay's usual rate would have opened at least this many sessions in
    /// it: sessions arrive independently, so a quiet spell that long happens by chance about e^-20 of the time.
    /// </summary>
    public const double ExpectedSessionsForGap = 20;

    /// <summary>A hop takes seconds; a median offset beyond this means a clock is off.</summary>
    private const double SkewSeconds = 60;

    public static async Task<DataQualitySection> ReadAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var files = await FilesAsync(context, cancellationToken).ConfigureAwait(false);
        var gaps = await GapsAsync(context, cancellationToken).ConfigureAwait(false);
        var skews = await SkewsAsync(context, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        var unrecognised = files.Sum(f => f.Unrecognised);
        if (unrecognised > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{unrecognised:N0} line(s) no grammar recognised, in {files.Count(f => f.Unrecognised > 0)} file(s); samples: relaywatch query \"SELECT file, line, reason, text FROM ingest_errors ORDER BY ingested_at DESC LIMIT 20\"."));
        }

        if (files.SelectMany(f => f.Relays).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            notes.Add("One host logged the day's events, so there is no second clock to compare with.");
        }

        return new DataQualitySection(files, gaps, skews, notes);
    }

    private static async Task<List<DataQualitySection.SourceFile>> FilesAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var rows = await context.Store.QueryListAsync(
            """
            SELECT e.file, if(c.format = '', 'unknown', c.format), e.relays, e.n, c.events, c.unrecognised, c.skipped, c.repaired
            FROM
            (
                SELECT file, toJSONString(groupUniqArray(relay)) AS relays, count() AS n
                FROM smtp_events WHERE toDate(ts) = {day:Date}
                GROUP BY file
            ) AS e
            LEFT JOIN
            (
                SELECT path, argMax(format, version) AS format, argMax(events, version) AS events, argMax(unrecognised, version) AS unrecognised,
                       argMax(skipped, version) AS skipped, argMax(repaired, version) AS repaired
                FROM ingest_checkpoints
                GROUP BY path
            ) AS c ON c.path = e.file
            ORDER BY e.file
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new DataQualitySection.SourceFile(
            Values.Shown(r[0], 300), r[1],
            [.. (System.Text.Json.JsonSerializer.Deserialize<string[]>(r[2]) ?? []).Order(StringComparer.Ordinal)],
            Values.Long(r[3]), Values.Long(r[4]), Values.Long(r[5]), Values.Long(r[6]), Values.Long(r[7])))];
    }

    /// <summary>
    /// Silences of at least <see cref="ReportSettings.QuietMinutes"/> in each relay's log (from the day's start
    /// to its end), kept when the relay's rate at those hours over the week before (or the day itself)
    /// would have opened at least <see cref="ExpectedSessionsForGap"/> sessions.
    /// </summary>
    private static async Task<List<DataQualitySection.Gap>> GapsAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(context.Parameters)
        {
            ["quiet"] = (context.Settings.QuietMinutes * 60).ToString(CultureInfo.InvariantCulture),
        };
        var silences = await context.Store.QueryListAsync(
            """
            SELECT relay, previous, ts FROM
            (
                SELECT relay, ts, lagInFrame(ts, 1, toDateTime64({day:Date}, 3, 'UTC')) OVER (PARTITION BY relay ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous
                FROM
                (
                    SELECT relay, ts FROM smtp_events WHERE toDate(ts) = {day:Date}
                    UNION ALL
                    SELECT DISTINCT relay, toDateTime64({day:Date} + 1, 3, 'UTC') FROM smtp_events WHERE toDate(ts) = {day:Date}
                )
            )
            WHERE dateDiff('second', previous, ts) >= {quiet:UInt32}
            ORDER BY relay, previous
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        if (silences.Count == 0)
        {
            return [];
        }

        // Sessions per relay and hour of the day: the usual rate over the days before in the week (those
        // with events), else the day itself.
        var rates = await context.Store.QueryListAsync(
            """
            SELECT relay, toHour(ts) AS h,
                   countIf(event = 'connect' AND toDate(ts) < {day:Date}) / greatest(uniqExactIf(toDate(ts), toDate(ts) < {day:Date}), 1),
                   countIf(event = 'connect' AND toDate(ts) = {day:Date})
            FROM smtp_events WHERE toDate(ts) BETWEEN {week_start:Date} AND {day:Date}
            GROUP BY relay, h
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        var perHour = rates.ToDictionary(r => (r[0], int.Parse(r[1], CultureInfo.InvariantCulture)), r => Values.Double(r[2]) > 0 ? Values.Double(r[2]) : Values.Double(r[3]));
        var gaps = new List<DataQualitySection.Gap>();
        foreach (var row in silences)
        {
            var (relay, from, to) = (row[0], Values.Time(row[1]), Values.Time(row[2]));
            var expected = 0.0;
            for (var t = from; t < to; t = t.AddMinutes(1))
            {
                expected += perHour.GetValueOrDefault((relay, t.Hour)) / 60;
            }

            if (expected >= ExpectedSessionsForGap)
            {
                gaps.Add(new DataQualitySection.Gap(relay, from, to, Math.Round((to - from).TotalMinutes, 1), Math.Round(expected)));
            }
        }

        return gaps;
    }

    /// <summary>For each pair of hosts that logged the same Message-IDs as accepted, the median offset between them.</summary>
    private static async Task<List<DataQualitySection.Skew>> SkewsAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var rows = await context.Store.QueryListAsync(
            """
            SELECT a.relay, b.relay, count(), median(dateDiff('millisecond', a.t, b.t)) / 1000
            FROM
            (
                SELECT message_id, relay, min(ts) AS t FROM smtp_events
                WHERE toDate(ts) = {day:Date} AND event = 'message' AND message_id != '' GROUP BY message_id, relay
            ) AS a
            INNER JOIN
            (
                SELECT message_id, relay, min(ts) AS t FROM smtp_events
                WHERE toDate(ts) = {day:Date} AND event = 'message' AND message_id != '' GROUP BY message_id, relay
            ) AS b ON a.message_id = b.message_id
            WHERE a.relay < b.relay
            GROUP BY a.relay, b.relay
            HAVING count() >= 10
            ORDER BY a.relay, b.relay
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r =>
        {
            var median = Math.Round(Values.Double(r[3]), 1);
            return new DataQualitySection.Skew(r[0], r[1], Values.Long(r[2]), median, Math.Abs(median) > SkewSeconds);
        })];
    }
}
