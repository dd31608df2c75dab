using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// Ingest health, <c>/ingest</c>: per relay, its last event and how long ago that was (a relay that fell
/// silent, or whose log stopped arriving, shows here first), and its rate over its last hour of events;
/// per file, where ingest stands and its share of lines no grammar recognised, with the latest samples of
/// them; and what the syslog listener dropped, by reason.
/// </summary>
internal static class IngestHealthPage
{
    /// <summary>Unrecognised lines shown per file, newest first.</summary>
    private const int SamplesPerFile = 3;

    public static void Map(WebApplication app) => app.MapGet("/ingest", (Delegate)PageAsync);

    private static async Task<IResult> PageAsync(HttpContext context, IClickHouseStore store, LiveIngest live, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var listener = await live.ReadAsync(cancellationToken).ConfigureAwait(false);
        var relays = await store.QueryListAsync(
            $"""
            SELECT relay, toString(last), dateDiff('second', last, toDateTime64({"{now:String}"}, 3, 'UTC')), recent
            FROM
            (
                SELECT e.relay AS relay, l.last AS last, countIf(e.ts > l.last - INTERVAL 1 HOUR) AS recent
                FROM {SmtpEventsTable.Name} AS e
                INNER JOIN (SELECT relay, max(ts) AS last FROM {SmtpEventsTable.Name} GROUP BY relay) AS l ON l.relay = e.relay
                WHERE e.ts > l.last - INTERVAL 1 HOUR
                GROUP BY relay, last
            )
            ORDER BY relay
            """,
            new Dictionary<string, string> { ["now"] = now.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
        var files = await store.QueryListAsync(
            """
            SELECT path, argMax(format, version), argMax(state, version), argMax(line, version), argMax(events, version),
                   argMax(skipped, version), argMax(unrecognised, version), argMax(repaired, version), toString(max(updated_at))
            FROM ingest_checkpoints
            GROUP BY path
            ORDER BY path
            """, null, cancellationToken).ConfigureAwait(false);
        var samples = await store.QueryListAsync(
            $"SELECT file, toString(line), reason, text FROM ingest_errors ORDER BY ingested_at DESC, line DESC LIMIT {SamplesPerFile} BY file",
            null, cancellationToken).ConfigureAwait(false);
        var drops = await store.QueryListAsync(
            "SELECT reason, toString(sum(dropped)) FROM listener_drops FINAL GROUP BY reason ORDER BY reason", null, cancellationToken).ConfigureAwait(false);

        var body = new StringBuilder();
        body.Append("<h2>Syslog listener</h2>");
        body.Append(listener is null
            ? "<p>serve runs no syslog listener: start it with serve --listen (or run relaywatch listen while serve is stopped).</p>"
            : ConsolePages.Table(["state", "listening on", "since (UTC)", "lines stored", "events stored", "unrecognised", "lines a second (last minute)", "last batch", "dropped"],
                [[
                    listener.State + (listener.Failure is null ? string.Empty : ": " + listener.Failure),
                    listener.Endpoints,
                    listener.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    listener.LinesStored.ToString("N0", CultureInfo.InvariantCulture),
                    listener.EventsStored.ToString("N0", CultureInfo.InvariantCulture),
                    listener.Unrecognised.ToString("N0", CultureInfo.InvariantCulture),
                    listener.LinesPerSecond is { } rate ? rate.ToString("N1", CultureInfo.InvariantCulture) : "measuring",
                    listener.LastBatch is { } last ? Ago((long)(now - last).TotalSeconds) + " ago" : "none yet",
                    listener.Drops.Count == 0 ? "none" : string.Join(", ", listener.Drops.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Count:N0} {d.Reason}"))),
                ]],
                numericFrom: 3, numericTo: 7));
        body.Append("<h2>Relays</h2>");
        body.Append(relays.Count == 0
            ? "<p>No events yet: ingest logs (relaywatch ingest, listen or follow).</p>"
            : ConsolePages.Table(["relay", "last event (UTC)", "since then", "events in its last hour", "events a second"],
                [.. relays.Select(r => new[] { r[0], r[1], Ago(long.Parse(r[2], CultureInfo.InvariantCulture)), Number(r[3]), (long.Parse(r[3], CultureInfo.InvariantCulture) / 3600.0).ToString("0.00", CultureInfo.InvariantCulture) })],
                numericFrom: 2));
        body.Append("<h2>Files</h2>");
        body.Append(files.Count == 0
            ? "<p>No file has been ingested.</p>"
            : ConsolePages.Table(["file", "format", "state", "lines read", "events", "skipped", "unrecognised", "unrecognised share", "repaired", "last batch (UTC)"],
                [.. files.Select(f => new[] { f[0], f[1], f[2], Number(f[3]), Number(f[4]), Number(f[5]), Number(f[6]), Share(f[6], f[3]), Number(f[7]), f[8] })],
                numericFrom: 3, numericTo: 9));
        body.Append("<h2>Latest unrecognised or repaired lines</h2>");
        body.Append(samples.Count == 0
            ? "<p>None: every line was recognised.</p>"
            : ConsolePages.Table(["file", "line", "why", "text"], samples));
        body.Append("<h2>Syslog listener drops, every run</h2>");
        body.Append(drops.Count == 0 ? "<p>None.</p>" : ConsolePages.Table(["reason", "lines or frames dropped"], drops, numericFrom: 1));
        return Html.Page(context, "Ingest health", body.ToString());
    }

    private static string Number(string value) => long.Parse(value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture);

    private static string Share(string part, string whole) =>
        long.Parse(whole, CultureInfo.InvariantCulture) is var n and > 0 ? (long.Parse(part, CultureInfo.InvariantCulture) / (double)n).ToString("0.00 %", CultureInfo.InvariantCulture) : "–";

    /// <summary>A span as a person says it: "45 s", "12 min", "3 h 5 min", "2 d 4 h".</summary>
    internal static string Ago(long seconds) => seconds switch
    {
        < 0 => "in the future (clock skew?)",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min"),
        < 86_400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600} h {seconds % 3600 / 60} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86_400} d {seconds % 86_400 / 3600} h"),
    };
}
