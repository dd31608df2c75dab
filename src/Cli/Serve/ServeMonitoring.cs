using System.Globalization;
using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// <c>/healthz</c> (the engine answers a trivial query, this process's job server beats, the listener's state)
/// and <c>/metrics</c> in Prometheus' text format (prometheus-net): job outcomes, the latest day's findings per
/// detector, today's ingested rows per source, the listeners' drops, and HTTP request durations. Both are read
/// without login from this machine when no reverse proxy is configured (a proxy makes every request look
/// local), and by any signed-in person.
/// </summary>
internal static class ServeMonitoring
{
    /// <summary>Hangfire beats every 30 s; two missed beats and the job server counts as gone.</summary>
    public static readonly TimeSpan HeartbeatLimit = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private static readonly Gauge StoreUp = Metrics.CreateGauge(
        "relaywatch_store_up", "1 when the engine answered the store queries of this scrape, 0 when it did not.");

    private static readonly Gauge Findings = Metrics.CreateGauge(
        "relaywatch_findings", "Findings of the latest day that has any, per detector.", ["detector"]);

    private static readonly Gauge FindingsDay = Metrics.CreateGauge(
        "relaywatch_findings_day_timestamp_seconds", "The latest day with findings (its midnight UTC, Unix time); 0 when there are none.");

    private static readonly Gauge IngestedToday = Metrics.CreateGauge(
        "relaywatch_ingested_events_today", "Events stored for today (UTC), per log source.", ["source"]);

    private static readonly Gauge ListenerDrops = Metrics.CreateGauge(
        "relaywatch_listener_dropped_lines", "Lines the syslog listeners dropped, by reason, as they last recorded them (serve --listen and relaywatch listen, every run).", ["reason"]);

    private static readonly Gauge ListenerUp = Metrics.CreateGauge(
        "relaywatch_listener_up", "1 while serve's own syslog listener listens; 0 when it failed, stopped or was not asked for (--listen).");

    private static readonly Gauge ListenerLines = Metrics.CreateGauge(
        "relaywatch_listener_stored_lines", "Lines serve's syslog listener has committed to the store since serve started.");

    private static readonly Gauge ListenerRate = Metrics.CreateGauge(
        "relaywatch_listener_lines_per_second", "Lines a second serve's syslog listener committed over the last minute.");

    public static void Map(WebApplication app, IClickHouseStore store, string serverName)
    {
        var live = app.Services.GetRequiredService<LiveIngest>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(cancellationToken => CollectStoreAsync(store, live, cancellationToken));

        app.MapGet("/healthz", async (HttpContext context, ServeSecurity security, JobStorage jobs, LiveIngest live, LiveFollowers followers, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (!MayRead(context, security))
            {
                return Results.Json(new { error = "Log in, or ask from this machine when no proxy is configured." }, statusCode: StatusCodes.Status401Unauthorized);
            }

            var engine = await CheckEngineAsync(store, cancellationToken).ConfigureAwait(false);
            var jobServer = CheckJobServer(jobs, serverName, time);
            var listener = await CheckListenerAsync(live, engine.Ok, time, cancellationToken).ConfigureAwait(false);
            var following = followers.States;
            var healthy = engine.Ok && jobServer.Ok && listener.Ok && following.All(f => f.State == "following");
            return Results.Json(
                new
                {
                    status = healthy ? "healthy" : "unhealthy",
                    engine = new { ok = engine.Ok, detail = engine.Detail },
                    jobServer = new { ok = jobServer.Ok, detail = jobServer.Detail },
                    listener = listener.Body,
                    following = following.Select(f => new { file = f.Path, state = f.State }),
                },
                statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();

        app.MapGet("/metrics", async (HttpContext context, ServeSecurity security) =>
        {
            if (!MayRead(context, security))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            // Prometheus' text exposition format, version 0.0.4.
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }).AllowAnonymous();
    }

    /// <summary>Any signed-in person; anyone on this machine only while no proxy could be speaking for a stranger.</summary>
    private static bool MayRead(HttpContext context, ServeSecurity security) =>
        ConsoleRoles.People.Any(context.User.IsInRole)
        || (security.TrustedProxies.Count == 0 && LoopbackHandler.IsFromThisMachine(context));

    private static async Task<(bool Ok, string Detail)> CheckEngineAsync(IClickHouseStore store, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            var answer = await store.QueryScalarAsync("SELECT 1", timeout.Token).ConfigureAwait(false);
            return answer == "1" ? (true, $"{store.Info.Engine} answers") : (false, $"{store.Info.Engine} answered '{answer}' to SELECT 1");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"{store.Info.Engine} did not answer SELECT 1 within {CheckTimeout.TotalSeconds:F0} s");
        }
#pragma warning disable CA1031 // Whatever the engine or its connection throws, the answer is "unhealthy", with why.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return (false, $"{store.Info.Engine} failed: {e.Message}");
        }
    }

    /// <summary>
    /// serve's syslog listener: "not configured" (fine), "listening" with where, since when, what this run stored,
    /// its rate and its drops (fine), or "failed" with why (unhealthy: relays' syslog is being lost).
    /// </summary>
    private static async Task<(bool Ok, object Body)> CheckListenerAsync(LiveIngest live, bool storeAnswers, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!live.Configured)
        {
            return (true, new { state = live.State });
        }

        LiveIngestStatus? status = null;
        if (storeAnswers)
        {
            try
            {
                status = await live.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ClickHouseException)
            {
                // The engine check above already says what is wrong with the store.
            }
        }

        var ok = live.State is "listening";
        return (ok, new
        {
            ok,
            state = live.State,
            endpoints = live.Endpoints,
            since = live.StartedAt.UtcDateTime,
            detail = live.Failure,
            linesStored = status?.LinesStored,
            eventsStored = status?.EventsStored,
            lastBatchSecondsAgo = status?.LastBatch is { } last ? Math.Round((time.GetUtcNow().UtcDateTime - last).TotalSeconds, 1) : (double?)null,
            linesPerSecond = status?.LinesPerSecond is { } rate ? Math.Round(rate, 1) : (double?)null,
            drops = status?.Drops.ToDictionary(d => d.Reason, d => d.Count, StringComparer.Ordinal),
        });
    }

    private static (bool Ok, string Detail) CheckJobServer(JobStorage jobs, string serverName, TimeProvider time)
    {
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            var servers = jobs.GetMonitoringApi().Servers();
            var alive = servers.Count(s => s.Heartbeat is { } beat && now - beat <= HeartbeatLimit);
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(serverName + ":", StringComparison.OrdinalIgnoreCase) || s.Name.Equals(serverName, StringComparison.OrdinalIgnoreCase));
            if (mine?.Heartbeat is not { } heartbeat)
            {
                return (false, string.Create(CultureInfo.InvariantCulture, $"this process's job server has not announced itself; {alive} server(s) alive"));
            }

            var age = (now - heartbeat).TotalSeconds;
            return now - heartbeat <= HeartbeatLimit
                ? (true, string.Create(CultureInfo.InvariantCulture, $"last heartbeat {age:F0} s ago; {alive} server(s) alive"))
                : (false, string.Create(CultureInfo.InvariantCulture, $"last heartbeat {age:F0} s ago, over {HeartbeatLimit.TotalSeconds:F0} s"));
        }
#pragma warning disable CA1031 // The job store unreachable is exactly what this check reports.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (false, $"the job store failed: {e.Message}");
        }
    }

    private static async Task CollectStoreAsync(IClickHouseStore store, LiveIngest live, CancellationToken cancellationToken)
    {
        try
        {
            if (await live.ReadAsync(cancellationToken).ConfigureAwait(false) is { } listener)
            {
                ListenerUp.Set(listener.State is "listening" ? 1 : 0);
                ListenerLines.Set(listener.LinesStored);
                ListenerRate.Set(listener.LinesPerSecond ?? 0);
            }

            var findings = await store.QueryListAsync(
                """
                SELECT detector, count(), toUnixTimestamp(toDateTime(day, 'UTC'))
                FROM findings
                WHERE day = (SELECT max(day) FROM findings)
                GROUP BY detector, day
                """,
                null,
                cancellationToken).ConfigureAwait(false);
            Publish(Findings, findings.Select(r => (r[0], r[1])));
            FindingsDay.Set(findings.Count == 0 ? 0 : double.Parse(findings[0][2], CultureInfo.InvariantCulture));

            var ingested = await store.QueryListAsync(
                "SELECT source, count() FROM smtp_events WHERE toDate(ts) = today() GROUP BY source", null, cancellationToken).ConfigureAwait(false);
            Publish(IngestedToday, ingested.Select(r => (r[0], r[1])));

            var drops = await store.QueryListAsync(
                "SELECT reason, sum(dropped) FROM listener_drops FINAL GROUP BY reason", null, cancellationToken).ConfigureAwait(false);
            Publish(ListenerDrops, drops.Select(r => (r[0], r[1])));
            StoreUp.Set(1);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A store that cannot answer is itself a metric; the rest of the scrape still serves.
        catch (Exception)
#pragma warning restore CA1031
        {
            StoreUp.Set(0);
        }
    }

    /// <summary>Sets one sample per label value and removes those the store no longer has (a day rolled over).</summary>
    private static void Publish(Gauge gauge, IEnumerable<(string Label, string Value)> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, value) in rows)
        {
            gauge.WithLabels(label).Set(double.Parse(value, CultureInfo.InvariantCulture));
            seen.Add(label);
        }

        foreach (var stale in gauge.GetAllLabelValues().Where(values => !seen.Contains(values[0])).ToList())
        {
            gauge.RemoveLabelled(stale);
        }
    }
}
