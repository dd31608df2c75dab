using System.Globalization;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Reports.Jobs;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Jobs;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>What serve runs with.</summary>
internal sealed record ServeOptions(string Urls, JobStore Jobs, string Home, int Workers, DetectionSettings Detection, ScoringJobSettings Scoring, BlocklistJobSettings Blocklists, ReportJobSettings Reports, ServeSecurity Security, Commands.ListenSetup? Listen = null, FollowSetup? Follow = null);

/// <summary>
/// The long-running host: Hangfire's server with its schedule and dashboard, the analysts' console, a small
/// JSON API and the relays' blocklist feed, over one open store, behind <see cref="ServeSecurity"/>.
/// </summary>
internal static partial class ServeHost
{
    private const string ConsoleScheme = "console";

    /// <summary>Pages allow nothing but this server's own stylesheet, forms and frames (the reports archive's); no script at all.</summary>
    private const string PagePolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Hangfire's dashboard loads its own scripts and styles (and sets style attributes); nothing from elsewhere.</summary>
    private const string DashboardPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The daily reports carry their own inline styles and SVG charts, and no script; only the archive page frames them.</summary>
    private const string ReportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'";

    public static async Task RunAsync(IClickHouseStore store, ServeOptions options, CancellationToken cancellationToken)
    {
        var security = options.Security;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (security.Certificate is { } certificate)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new StderrLoggerProvider(LogLevel.Information));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Hangfire", LogLevel.Warning)
            // It warns at every start that the keys are not encrypted at rest; their folder's permissions protect them.
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(security);
        var live = new LiveIngest(store, options.Listen, TimeProvider.System, Cli.CommandRunner.Loggers.CreateLogger("listen"));
        builder.Services.AddSingleton(live);
        var followers = new LiveFollowers(store, options.Follow, TimeProvider.System, Cli.CommandRunner.Loggers.CreateLogger("follow"));
        builder.Services.AddSingleton(followers);
        builder.Services.AddSingleton(options.Detection);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton(options.Scoring);
        builder.Services.AddTransient<DetectionJobs>();
        builder.Services.AddTransient<ScoringJobs>();
        builder.Services.AddSingleton(options.Blocklists);
        builder.Services.AddTransient<BlocklistJobs>();
        builder.Services.AddSingleton(options.Reports);
        builder.Services.AddTransient<ReportJobs>();
        AddSecurity(builder.Services, security, Path.Combine(options.Home, "serve-keys"));
        // Keep a month of finished jobs (Hangfire's default is a day), so the history says whether last week's runs succeeded.
        builder.Services.AddHangfire(configuration => options.Jobs.Configure(
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(new JobOutcomeMetrics()),
            TimeSpan.FromDays(30)));
        var serverName = $"relaywatch-{Environment.MachineName}-{Environment.ProcessId}";
        builder.Services.AddHangfireServer(server =>
        {
            server.WorkerCount = options.Workers;
            server.ServerName = serverName;
        });

        var app = builder.Build();
        UseSecurity(app, security);
        // Any signed-in person sees the dashboard (the endpoint requires it); only admins act on jobs. Hangfire
        // checks the anti-forgery token of every dashboard POST itself, since IAntiforgery is registered.
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(ConsoleRoles.Admin),
            DashboardTitle = "RelayWatch jobs",
            DisplayStorageConnectionString = false,
            AppPath = "/",
        }).RequireAuthorization(ConsoleRoles.ReadPolicy);
        MapApi(app);
        ServeMonitoring.Map(app, store, serverName);
        ConsolePages.Map(app);
        BlocklistPages.Map(app);
        ReportPages.Map(app);
        NetworkPages.Map(app);
        IngestHealthPage.Map(app);
        ModelPage.Map(app);
        SqlPage.Map(app);
        CampaignPage.Map(app);

        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<DetectionJobs>(DetectionJobs.HourlyJobId, j => j.DetectTodayAsync(CancellationToken.None), DetectionJobs.HourlyCron);
        recurring.AddOrUpdate<DetectionJobs>(DetectionJobs.DailyCloseJobId, j => j.CloseYesterdayAsync(CancellationToken.None), DetectionJobs.DailyCloseCron);
        recurring.AddOrUpdate<ScoringJobs>(ScoringJobs.DailyJobId, j => j.ScoreYesterdayAsync(CancellationToken.None), ScoringJobs.DailyCron);
        recurring.AddOrUpdate<ScoringJobs>(ScoringJobs.WeeklyTrainingJobId, j => j.TrainWeeklyAsync(CancellationToken.None), ScoringJobs.WeeklyTrainingCron);
        recurring.AddOrUpdate<BlocklistJobs>(BlocklistJobs.HourlyJobId, j => j.UpdateAsync(CancellationToken.None), BlocklistJobs.HourlyCron);
        recurring.AddOrUpdate<ReportJobs>(ReportJobs.DailyJobId, j => j.ReportYesterdayAsync(CancellationToken.None), ReportJobs.DailyCron);
        JobOutcomeMetrics.Declare([DetectionJobs.HourlyJobId, DetectionJobs.DailyCloseJobId, ScoringJobs.DailyJobId, ScoringJobs.WeeklyTrainingJobId, BlocklistJobs.HourlyJobId, ReportJobs.DailyJobId]);

        // The listener binds first: a syslog port that is taken stops serve before anyone relies on it.
        await using (live.ConfigureAwait(false))
        await using (followers.ConfigureAwait(false))
        {
            await live.StartAsync(cancellationToken).ConfigureAwait(false);
            followers.Start();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            // User and token changes made on the command line join the audit trail now, and whenever the file changes.
            var auditLog = Cli.CommandRunner.Loggers.CreateLogger("serve");
            security.Users.Reloaded += file => _ = SyncUsersAuditAsync(store, file, auditLog);
            await SyncUsersAuditAsync(store, security.Users.Current, auditLog).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(
                $"RelayWatch serve on {string.Join(", ", app.Urls)}: console at /, jobs dashboard at /hangfire, API at /api, health at /healthz, metrics at /metrics; jobs stored in {options.Jobs.Description}; "
                + (live.Configured ? $"syslog received on {live.Endpoints}; " : string.Empty)
                + (followers.Paths.Count > 0 ? $"following {string.Join(", ", followers.Paths)}; " : string.Empty)
                + (security.TrustsLoopback ? "no users yet, so only this machine is served, without a login. Ctrl+C stops." : $"users in {security.Users.Path}. Ctrl+C stops.")).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            // Syslog stops first, and every line it accepted is committed while the pages still answer.
            if (await live.StopAsync().ConfigureAwait(false) is { } summary)
            {
                await Console.Error.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The syslog listener stopped: {summary.Counts.Lines:N0} lines received, {summary.Counts.Events:N0} events stored{(summary.Problem is null ? "" : "; " + summary.Problem)}.")).ConfigureAwait(false);
            }

            foreach (var line in await followers.StopAsync().ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task SyncUsersAuditAsync(IClickHouseStore store, UsersFile file, ILogger logger)
    {
        try
        {
            await UsersAudit.SyncAsync(store, file, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ClickHouseException e)
        {
            // The changes stay in the users file; the next start or change copies them.
            Log.UsersAuditFailed(logger, e.Message);
        }
    }

    private static void AddSecurity(IServiceCollection services, ServeSecurity security, string keyFolder)
    {
        services.AddHostFiltering(filtering =>
        {
            filtering.AllowedHosts = [.. security.AllowedHosts];
            filtering.AllowEmptyHosts = false;
            filtering.IncludeFailureMessage = false;
        });
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // The Host header is not taken from a proxy: host filtering judges the one the proxy passed on.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in security.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(proxy);
            }
        });
        // Sessions outlive a restart: the keys that sign the session cookies live beside the job database, in a
        // folder only serve's own account may read (the keys are stored unencrypted, as the users file is).
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(keyFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keyFolder)).SetApplicationName("relaywatch-serve");
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "relaywatch-af";
            // Secure over HTTPS. Plain HTTP is only ever allowed on loopback (or behind a trusted proxy, whose
            // X-Forwarded-Proto says https); there antiforgery would refuse to work at all under Always.
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
        });
        services.AddAuthentication(ConsoleScheme)
            .AddPolicyScheme(ConsoleScheme, "RelayWatch", policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? RelayTokenHandler.SchemeName
                : security.TrustsLoopback && LoopbackHandler.IsFromThisMachine(context) ? LoopbackHandler.SchemeName
                : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "relaywatch";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/login";
                cookie.Events.OnRedirectToLogin = context =>
                {
                    if (WantsPage(context.Request))
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }

                    return Task.CompletedTask;
                };
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
                // A removed user, or one whose role changed, is signed out at their next request.
                cookie.Events.OnValidatePrincipal = async context =>
                {
                    var name = context.Principal?.Identity?.Name;
                    var user = security.Users.Current.Users.FirstOrDefault(u => u.Name.Equals(name, StringComparison.Ordinal));
                    if (user is null || !context.Principal!.IsInRole(user.Role))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
                    }
                };
            })
            .AddScheme<AuthenticationSchemeOptions, RelayTokenHandler>(RelayTokenHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, LoopbackHandler>(LoopbackHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleRoles.ReadPolicy, policy => policy.RequireRole(ConsoleRoles.Viewer, ConsoleRoles.Analyst, ConsoleRoles.Admin))
            .AddPolicy(ConsoleRoles.ActPolicy, policy => policy.RequireRole(ConsoleRoles.Analyst, ConsoleRoles.Admin))
            .AddPolicy(ConsoleRoles.AdminPolicy, policy => policy.RequireRole(ConsoleRoles.Admin))
            .AddPolicy(ConsoleRoles.FeedPolicy, policy => policy.RequireRole(ConsoleRoles.Relay, ConsoleRoles.Viewer, ConsoleRoles.Analyst, ConsoleRoles.Admin))
            // Whatever an endpoint does not say otherwise needs a signed-in person.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireRole(ConsoleRoles.Viewer, ConsoleRoles.Analyst, ConsoleRoles.Admin).Build());
    }

    private static void UseSecurity(WebApplication app, ServeSecurity security)
    {
        if (security.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseHostFiltering();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            var path = context.Request.Path;
            headers.ContentSecurityPolicy = path.StartsWithSegments("/hangfire", StringComparison.Ordinal) ? DashboardPolicy
                : ReportPages.IsReportFile(path) ? ReportPolicy
                : PagePolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = ReportPages.IsReportFile(path) ? "SAMEORIGIN" : "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            // A state-changing request another site's page made is refused whoever seems to send it: the
            // session cookie is SameSite=Strict, and this also covers the trusted loopback (no cookie at all).
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && IsCrossSite(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.UseRouting();
        // Request durations by route pattern (not by raw path, whose variety an attacker chooses).
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
    }

    /// <summary>A browser's page (which gets the login page) rather than a program (which gets 401).</summary>
    private static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
        && !request.Path.StartsWithSegments("/blocklists", StringComparison.Ordinal)
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a browser says another site made this request: Sec-Fetch-Site where the browser sends it (it is
    /// exact), else an Origin that is not this server. Programs such as curl send neither and are judged by
    /// their credentials alone.
    /// </summary>
    private static bool IsCrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is not ("same-origin" or "none");
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Authority.Equals(request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Appends an action to the audit trail: who (the signed-in name), from where, what, and the note.</summary>
    internal static Task AuditAsync(HttpContext context, string action, string subject, string note)
    {
        var user = context.User;
        var role = ConsoleRoles.People.Concat([ConsoleRoles.Relay]).FirstOrDefault(user.IsInRole) ?? string.Empty;
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        return Store.Audit.ConsoleAuditTrail.RecordAsync(
            context.RequestServices.GetRequiredService<IClickHouseStore>(),
            new Store.Audit.AuditEntry(time.GetUtcNow().UtcDateTime, user.Identity?.Name ?? string.Empty, role, action, subject, note, context.Connection.RemoteIpAddress?.ToString() ?? string.Empty),
            context.RequestAborted);
    }

    /// <summary>Audits a queued job (the day asked for) once the request was accepted.</summary>
    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> AuditQueued(string action) => async (context, next) =>
    {
        var result = await next(context).ConfigureAwait(false);
        if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status202Accepted })
        {
            var http = context.HttpContext;
            await AuditAsync(http, action, http.Request.Query["day"].ToString(), string.Empty).ConfigureAwait(false);
        }

        return result;
    };

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
            QueueForDay(day, time, date => jobs.Enqueue<DetectionJobs>(j => j.DetectDayAsync(date, CancellationToken.None)))).RequireAuthorization(ConsoleRoles.AdminPolicy).AddEndpointFilter(AuditQueued("queue_detect"));
        app.MapPost("/api/report", (string? day, IBackgroundJobClient jobs, TimeProvider time) =>
            QueueForDay(day, time, date => jobs.Enqueue<ReportJobs>(j => j.ReportDayAsync(date, CancellationToken.None)))).RequireAuthorization(ConsoleRoles.AdminPolicy).AddEndpointFilter(AuditQueued("queue_report"));

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
        }).RequireAuthorization(ConsoleRoles.FeedPolicy);

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
