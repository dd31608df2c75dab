using System.Globalization;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Reports.Jobs;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Jobs;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>What serve runs with.</summary>
internal sealed record ServeOptions(string Urls, JobStore Jobs, int Workers, DetectionSettings Detection, ScoringJobSettings Scoring, BlocklistJobSettings Blocklists, ReportJobSettings Reports, AccessPolicy Access);

/// <summary>
/// The long-running host: Hangfire's server with its schedule and dashboard, and a small JSON API
/// (the web console will grow here), over one open store.
/// </summary>
internal static partial class ServeHost
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^report-\d{4}-\d{2}-\d{2}\.(html|md|json)$")]
    private static partial System.Text.RegularExpressions.Regex ReportFileName();

    public static async Task RunAsync(IClickHouseStore store, ServeOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new StderrLoggerProvider(LogLevel.Information));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Hangfire", LogLevel.Warning);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options.Detection);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options.Scoring);
        builder.Services.AddTransient<DetectionJobs>();
        builder.Services.AddTransient<ScoringJobs>();
        builder.Services.AddSingleton(options.Blocklists);
        builder.Services.AddTransient<BlocklistJobs>();
        builder.Services.AddSingleton(options.Reports);
        builder.Services.AddTransient<ReportJobs>();
        // Keep a month of finished jobs (Hangfire's default is a day), so the history says whether last week's runs succeeded.
        builder.Services.AddHangfire(configuration => options.Jobs.Configure(
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings(),
            TimeSpan.FromDays(30)));
        builder.Services.AddHangfireServer(server =>
        {
            server.WorkerCount = options.Workers;
            server.ServerName = $"relaywatch-{Environment.MachineName}-{Environment.ProcessId}";
        });

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (!options.Access.Allows(context.Connection.RemoteIpAddress, context.Request.Headers.Authorization))
            {
                context.Response.StatusCode = options.Access.RemoteAccessConfigured ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
                if (options.Access.RemoteAccessConfigured)
                {
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"RelayWatch\"";
                }

                return;
            }

            await next(context).ConfigureAwait(false);
        });
        // The access policy above already decided; Hangfire's own filter would refuse every remote user.
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], DashboardTitle = "RelayWatch jobs", DisplayStorageConnectionString = false });
        MapApi(app);

        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<DetectionJobs>(DetectionJobs.HourlyJobId, j => j.DetectTodayAsync(CancellationToken.None), DetectionJobs.HourlyCron);
        recurring.AddOrUpdate<DetectionJobs>(DetectionJobs.DailyCloseJobId, j => j.CloseYesterdayAsync(CancellationToken.None), DetectionJobs.DailyCloseCron);
        recurring.AddOrUpdate<ScoringJobs>(ScoringJobs.DailyJobId, j => j.ScoreYesterdayAsync(CancellationToken.None), ScoringJobs.DailyCron);
        recurring.AddOrUpdate<ScoringJobs>(ScoringJobs.WeeklyTrainingJobId, j => j.TrainWeeklyAsync(CancellationToken.None), ScoringJobs.WeeklyTrainingCron);
        recurring.AddOrUpdate<BlocklistJobs>(BlocklistJobs.HourlyJobId, j => j.UpdateAsync(CancellationToken.None), BlocklistJobs.HourlyCron);
        recurring.AddOrUpdate<ReportJobs>(ReportJobs.DailyJobId, j => j.ReportYesterdayAsync(CancellationToken.None), ReportJobs.DailyCron);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await Console.Error.WriteLineAsync(
            $"RelayWatch serve on {string.Join(", ", app.Urls)}: jobs dashboard at /hangfire, API at /api; jobs stored in {options.Jobs.Description}. Ctrl+C stops.").ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Queues a job for a day given as <c>?day=</c> (default today): 202 with the job's id, or 400 for a bad day.</summary>
    private static IResult QueueForDay(string? day, TimeProvider time, Func<string, string> enqueue)
    {
        if (DayOrToday(day, time) is not { } date)
        {
            return Results.BadRequest(new { error = $"day {day} is not a date such as 2026-11-24." });
        }

        var text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var id = enqueue(text);
        return Results.Accepted($"/api/jobs/{id}", new { job = id, day = text });
    }

    /// <summary>The <c>day</c> query parameter (YYYY-MM-DD), today when absent; null when it is not a date.</summary>
    private static DateOnly? DayOrToday(string? day, TimeProvider time) =>
        day is null ? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)
        : DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed
        : null;

    private static void MapApi(WebApplication app)
    {
        app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));

        // Queue detection of one day now (e.g. after ingesting late logs), or its report; answers with the job's id.
        app.MapPost("/api/detect", (string? day, IBackgroundJobClient jobs, TimeProvider time) =>
            QueueForDay(day, time, date => jobs.Enqueue<DetectionJobs>(j => j.DetectDayAsync(date, CancellationToken.None))));
        app.MapPost("/api/report", (string? day, IBackgroundJobClient jobs, TimeProvider time) =>
            QueueForDay(day, time, date => jobs.Enqueue<ReportJobs>(j => j.ReportDayAsync(date, CancellationToken.None))));

        app.MapGet("/api/jobs/{id}", (string id, JobStorage storage) =>
        {
            using var connection = storage.GetConnection();
            var job = connection.GetJobData(id);
            if (job is null)
            {
                return Results.NotFound(new { error = $"There is no job {id}." });
            }

            var state = connection.GetStateData(id);
            return Results.Ok(new
            {
                job = id,
                method = job.Job?.Method.Name,
                state = job.State,
                created = job.CreatedAt,
                // Hangfire keeps a job's return value as JSON.
                result = state?.Data.TryGetValue("Result", out var result) == true ? System.Text.Json.JsonSerializer.Deserialize<string>(result) : null,
                reason = state?.Reason,
            });
        });

        app.MapGet("/api/schedule", (JobStorage storage) =>
        {
            using var connection = storage.GetConnection();
            return Results.Ok(connection.GetRecurringJobs().Select(r => new
            {
                id = r.Id, cron = r.Cron, next = r.NextExecution, last = r.LastExecution, lastJob = r.LastJobId, lastState = r.LastJobState,
            }));
        });

        // The published blocklist in a relay's format. Relays poll it with If-None-Match: an unchanged
        // list answers 304 without a body.
        app.MapGet("/blocklists/{format}", async (string format, HttpContext context, IClickHouseStore store, BlocklistJobSettings settings, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var known = BlocklistFormats.All.FirstOrDefault(f => f.Name == format);
            if (known is null)
            {
                return Results.NotFound(new { error = $"There is no blocklist format '{format}'; the formats are {string.Join(", ", BlocklistFormats.Names)}." });
            }

            var text = await BlocklistExport.RenderAsync(store, settings.Blocklists, settings.Estate, known, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
            var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32]}\"";
            context.Response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.Contains(etag))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            // The format's own bytes: the Exchange script keeps its byte order mark over HTTP too.
            return Results.Bytes(known.Encode(text), (known.Name is "json" ? "application/json" : known.Name is "csv" ? "text/csv" : "text/plain") + "; charset=utf-8");
        });

        // The daily reports the job wrote, newest first, and each file by name.
        app.MapGet("/reports", (ReportJobSettings settings) => Results.Ok(
            (Directory.Exists(settings.Folder) ? Directory.EnumerateFiles(settings.Folder, "report-*.*") : [])
                .Select(Path.GetFileName).Where(name => ReportFileName().IsMatch(name!)).OrderDescending(StringComparer.Ordinal)
                .Select(name => new { name, url = $"/reports/{name}" })));
        app.MapGet("/reports/{name}", (string name, ReportJobSettings settings) =>
        {
            // Only the job's own file names: nothing else in (or outside) the folder is ever served.
            var path = Path.Combine(settings.Folder, name);
            return ReportFileName().IsMatch(name) && File.Exists(path)
                ? Results.File(path, Path.GetExtension(name) switch { ".html" => "text/html; charset=utf-8", ".json" => "application/json", _ => "text/markdown; charset=utf-8" })
                : Results.NotFound(new { error = $"There is no report {name}; GET /reports lists them." });
        });

        // The day's scores from the newest model that scored it, worst first, with reasons.
        app.MapGet("/api/scores", async (string? day, double? min, int? limit, IClickHouseStore store, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var date = DayOrToday(day, time);
            if (date is null)
            {
                return Results.BadRequest(new { error = $"day {day} is not a date such as 2026-11-24." });
            }

            var rows = await store.QueryListAsync(
                """
                SELECT ip, score, model, toJSONString(reasons)
                FROM ip_scores
                WHERE day = {day:Date}
                  AND model = (SELECT argMax(model, created_at) FROM ip_scores WHERE day = {day:Date})
                  AND score >= {min:Float64}
                ORDER BY score DESC, ip
                LIMIT {limit:UInt32}
                """,
                new Dictionary<string, string>
                {
                    ["day"] = date.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["min"] = (min ?? 0.5).ToString(CultureInfo.InvariantCulture),
                    ["limit"] = Math.Clamp(limit ?? 100, 1, 10_000).ToString(CultureInfo.InvariantCulture),
                },
                cancellationToken).ConfigureAwait(false);
            return Results.Ok(rows.Select(r => new
            {
                ip = r[0], score = double.Parse(r[1], CultureInfo.InvariantCulture), model = r[2],
                reasons = System.Text.Json.JsonSerializer.Deserialize<string[]>(r[3]),
            }));
        });

        app.MapGet("/api/findings", async (string? day, IClickHouseStore store, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var date = DayOrToday(day, time);
            if (date is null)
            {
                return Results.BadRequest(new { error = $"day {day} is not a date such as 2026-11-24." });
            }

            var findings = await Finding.ReadAsync(store, date.Value, date.Value, cancellationToken).ConfigureAwait(false);
            return Results.Ok(findings.Select(f => new
            {
                day = f.Day, detector = f.Detector, subject = f.Subject, severity = f.Severity, score = f.Score,
                firstSeen = f.FirstSeen, lastSeen = f.LastSeen, events = f.Events, why = FindingExplainer.Explain(f),
                evidence = System.Text.Json.JsonDocument.Parse(f.Evidence).RootElement,
            }));
        });
    }
}
