using System.Globalization;
using RelayWatch.Analysis.Detection;
using RelayWatch.Reports.Capacity;
using RelayWatch.Reports.Content;
using RelayWatch.Store;

namespace RelayWatch.Reports.Sections;

/// <summary>Reads load per relay and site, peaks, concurrency, the attackers' share, failover and the trends.</summary>
internal static class TrafficReader
{
    public static async Task<TrafficSection> ReadAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters;
        var store = context.Store;
        var hourlyRows = await store.QueryListAsync(
            $"""
            SELECT relay, toHour(ts) AS h,
                   countIf(event = 'message' AND NOT {Sql.ClientIsInternal}), countIf(event = 'message' AND {Sql.ClientIsInternal}),
                   sumIf(size, event = 'message'), countIf(event = 'connect')
            FROM smtp_events
            WHERE toDate(ts) = {"{day:Date}"} AND {Sql.AtEdge}
            GROUP BY relay, h
            ORDER BY relay, h
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        var hourly = hourlyRows.Select(r => (Relay: r[0], Hour: int.Parse(r[1], CultureInfo.InvariantCulture), In: Values.Long(r[2]), Out: Values.Long(r[3]), Bytes: Values.Long(r[4]), Sessions: Values.Long(r[5]))).ToList();

        var peakMinutes = (await store.QueryListAsync(
            $$"""
            SELECT relay, m, c FROM
            (
                SELECT relay, toStartOfMinute(ts) AS m, count() AS c
                FROM smtp_events WHERE toDate(ts) = {day:Date} AND event = 'message' AND {{Sql.AtEdge}}
                GROUP BY relay, m
            )
            ORDER BY c DESC, m LIMIT 1 BY relay
            """,
            parameters, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r[0], r => (Minute: Values.Time(r[1]), Messages: Values.Long(r[2])), StringComparer.Ordinal);

        // Sessions as intervals from their first to their last record, then a running count of opens and closes.
        var concurrency = (await store.QueryListAsync(
            $$"""
            SELECT relay, max(open) FROM
            (
                SELECT relay, sum(delta) OVER (PARTITION BY relay ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS open
                FROM
                (
                    SELECT relay, edge.1 AS t, edge.2 AS delta
                    FROM
                    (
                        SELECT relay, min(ts) AS s, max(ts) AS e
                        FROM smtp_events
                        WHERE toDate(ts) = {day:Date} AND session_id != '' AND event NOT IN ('message', 'delivery', 'defer', 'bounce', 'ndr_sent') AND {{Sql.AtEdge}}
                        GROUP BY relay, session_id
                    )
                    ARRAY JOIN [(s, toInt64(1)), (e, toInt64(-1))] AS edge
                )
            )
            GROUP BY relay
            """,
            parameters, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r[0], r => Values.Long(r[1]), StringComparer.Ordinal);

        var relays = hourly.GroupBy(h => h.Relay).Select(g =>
        {
            var peak = g.OrderByDescending(h => h.In + h.Out).ThenBy(h => h.Hour).First();
            var minute = peakMinutes.TryGetValue(g.Key, out var m) ? m : default;
            return new TrafficSection.Relay(
                g.Key, context.Settings.SiteOf(g.Key), g.Sum(h => h.In), g.Sum(h => h.Out), g.Sum(h => h.Bytes), g.Sum(h => h.Sessions),
                peak.Hour, peak.In + peak.Out, minute.Messages == 0 ? null : minute.Minute, minute.Messages, concurrency.GetValueOrDefault(g.Key));
        }).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

        var (failovers, siteShares) = await FailoversAsync(context, cancellationToken).ConfigureAwait(false);
        var sites = relays.GroupBy(r => r.Site).Select(g => new TrafficSection.Site(
            g.Key, [.. g.Select(r => r.Name)], g.Sum(r => r.MessagesIn + r.MessagesOut), g.Sum(r => r.Bytes), g.Sum(r => r.Sessions),
            Math.Round(siteShares.GetValueOrDefault(g.Key), 4))).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

        var history = await HistoryAsync(context, cancellationToken).ConfigureAwait(false);
        var trends = history.GroupBy(h => h.Relay).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => TrendReader.Trend(context, g.Key, [.. g.Select(h => (h.Day, (double)h.Messages, h.PeakHour))]))
            .ToList();

        return new TrafficSection(
            relays, sites,
            [.. hourly.Select(h => new TrafficSection.HourPoint(h.Relay, h.Hour, h.In + h.Out, h.Bytes, h.Sessions))],
            await AttackLoadAsync(context, cancellationToken).ConfigureAwait(false),
            failovers, trends,
            [.. history.Select(h => new TrafficSection.DayPoint(h.Relay, h.Day, h.Messages))],
            await HourByDayAsync(context, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Days shown in the hour-by-day heat map.</summary>
    public const int HeatMapDays = 28;

    private static async Task<List<TrafficSection.HeatCell>> HourByDayAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(context.Parameters) { ["heat_start"] = ReportContext.Text(context.Day.AddDays(1 - HeatMapDays)) };
        var rows = await context.Store.QueryListAsync(
            $$"""
            SELECT toDate(ts) AS d, toHour(ts) AS h, count()
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {heat_start:Date} AND {day:Date} AND event = 'message' AND {{Sql.AtEdge}}
            GROUP BY d, h
            ORDER BY d, h
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new TrafficSection.HeatCell(Values.Day(r[0]), int.Parse(r[1], CultureInfo.InvariantCulture), Values.Long(r[2])))];
    }

    /// <summary>Accepted messages and the busiest hour's messages per relay and day, over the history window.</summary>
    private static async Task<List<(string Relay, DateOnly Day, long Messages, long PeakHour)>> HistoryAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var rows = await context.Store.QueryListAsync(
            $$"""
            SELECT relay, d, sum(c), max(c) FROM
            (
                SELECT relay, toDate(ts) AS d, toHour(ts) AS h, count() AS c
                FROM smtp_events
                WHERE toDate(ts) BETWEEN {history_start:Date} AND {day:Date} AND event = 'message' AND {{Sql.AtEdge}}
                GROUP BY relay, d, h
            )
            GROUP BY relay, d
            ORDER BY relay, d
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => (r[0], Values.Day(r[1]), Values.Long(r[2]), Values.Long(r[3])))];
    }

    /// <summary>
    /// The attackers' share of the day's sessions and refusals. Attackers are the subjects of the day's
    /// findings (addresses, or every address in a network) and the addresses the model scored 0.5 or more.
    /// </summary>
    private static async Task<TrafficSection.AttackShare> AttackLoadAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var rows = await context.Store.QueryListAsync(
            $"""
            WITH
                (SELECT groupUniqArray(subject) FROM findings WHERE day = {"{day:Date}"} AND position(subject, '/') = 0) AS finding_ips,
                (SELECT groupUniqArray(subject) FROM findings WHERE day = {"{day:Date}"} AND position(subject, '/') > 0) AS finding_networks,
                (SELECT groupUniqArray(ip) FROM ip_scores WHERE day = {"{day:Date}"} AND score >= 0.5
                   AND model = (SELECT argMax(model, created_at) FROM ip_scores WHERE day = {"{day:Date}"})) AS scored_ips
            SELECT countIf(event = 'connect'), countIf(event = 'connect' AND attacker),
                   countIf(event IN ('rcpt_reject', 'reject')), countIf(event IN ('rcpt_reject', 'reject') AND attacker)
            FROM
            (
                SELECT event, {Sql.ClientIp} AS ip,
                       has(finding_ips, ip) OR has(scored_ips, ip) OR arrayExists(n -> isIPAddressInRange(ip, n), finding_networks) AS attacker
                FROM smtp_events
                WHERE toDate(ts) = {"{day:Date}"} AND event IN ('connect', 'rcpt_reject', 'reject') AND {Sql.AtEdge}
            )
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        var r = rows[0];
        return new TrafficSection.AttackShare(Values.Long(r[0]), Values.Long(r[1]), Values.Long(r[2]), Values.Long(r[3]));
    }

    /// <summary>Inbound sessions per site and ten minutes on the day, against each site's share over the week before.</summary>
    private static async Task<(IReadOnlyList<TrafficSection.Failover> Episodes, IReadOnlyDictionary<string, double> DayShares)> FailoversAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var rows = await context.Store.QueryListAsync(
            $"""
            SELECT relay, toDate(ts) = {"{day:Date}"} AS today, toStartOfInterval(ts, INTERVAL 10 MINUTE) AS b, count()
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {"{week_start:Date}"} AND {"{day:Date}"} AND event = 'connect' AND NOT {Sql.ClientIsInternal} AND {Sql.AtEdge}
            GROUP BY relay, today, b
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        var parsed = rows.Select(r => (Site: context.Settings.SiteOf(r[0]), Today: r[1] == "1", Start: Values.Time(r[2]), Sessions: Values.Long(r[3]))).ToList();
        var today = parsed.Where(p => p.Today).ToList();
        var before = parsed.Where(p => !p.Today).ToList();
        var dayShares = Shares(today);
        var usual = before.Count > 0 ? Shares(before) : dayShares;
        var buckets = today.GroupBy(p => (p.Site, p.Start)).ToDictionary(g => g.Key, g => g.Sum(p => p.Sessions));
        return (FailoverDetector.Detect(buckets, usual), dayShares);
    }

    private static Dictionary<string, double> Shares(IReadOnlyList<(string Site, bool Today, DateTime Start, long Sessions)> rows)
    {
        var total = rows.Sum(r => r.Sessions);
        return rows.GroupBy(r => r.Site, StringComparer.Ordinal).ToDictionary(g => g.Key, g => total == 0 ? 0 : (double)g.Sum(r => r.Sessions) / total, StringComparer.Ordinal);
    }
}
