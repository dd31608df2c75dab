using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// serve's <c>/healthz</c> and <c>/metrics</c> against the real process: healthy over a working store, 503 once
/// the ClickHouse server it uses stops answering, Prometheus text with the job, findings, ingest and HTTP
/// families, and who may read them.
/// </summary>
public sealed partial class ServeMonitoringTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly List<Process> started = [];

    public void Dispose()
    {
        foreach (var process in started)
        {
            RelayWatchProcess.StopAsync(process).GetAwaiter().GetResult();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task MetricsAreParseablePrometheusTextWithJobsFindingsIngestAndRequests()
    {
        var data = directory.Combine("data");
        // Four lines of the simulated mx1 log, moved to today, so that today has ingested events.
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var todayLog = directory.Combine("today.log");
        var sample = File.ReadLines(Path.Combine(RepositoryFolders.Samples, "simulated", "logs", "mx1", "mail.log")).Take(4);
        await File.WriteAllLinesAsync(todayLog, sample.Select(line => line.Replace("2026-11-24T", today + "T", StringComparison.Ordinal)));
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"), todayLog)).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "detect", "--day", "2026-11-24")).ExitCode);
        var expectedFindings = await QueryAsync(data, "SELECT detector, count() FROM findings WHERE day = '2026-11-24' GROUP BY detector ORDER BY detector");
        var expectedToday = await QueryAsync(data, "SELECT source, count() FROM smtp_events WHERE toDate(ts) = today() GROUP BY source ORDER BY source");
        Assert.NotEmpty(expectedFindings);
        Assert.NotEmpty(expectedToday);
        var origin = await StartAsync(["--data", data]);
        using var http = new HttpClient();

        // A job run through the queue, to be counted.
        var queued = await http.PostAsync(new Uri($"{origin}/api/detect?day=2026-11-24"), null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var job = JsonDocument.Parse(await queued.Content.ReadAsStringAsync()).RootElement.GetProperty("job").GetString();
        Assert.Equal("Succeeded", await FinalStateAsync(http, $"{origin}/api/jobs/{job}"));
        var health = await WaitHealthyAsync(http, origin);
        var metrics = await http.GetAsync(new Uri($"{origin}/metrics"));
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var samples = ParsePrometheus(text);
        Assert.Equal(1, samples[("relaywatch_job_outcomes_total", "job=\"DetectionJobs.DetectDayAsync\",outcome=\"succeeded\"")]);
        Assert.Equal(0, samples[("relaywatch_job_outcomes_total", "job=\"detect-hourly\",outcome=\"failed\"")]);
        foreach (var row in expectedFindings)
        {
            Assert.Equal(double.Parse(row[1], CultureInfo.InvariantCulture), samples[("relaywatch_findings", $"detector=\"{row[0]}\"")]);
        }

        Assert.Equal(expectedFindings.Count, samples.Keys.Count(k => k.Name == "relaywatch_findings"));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), samples[("relaywatch_findings_day_timestamp_seconds", string.Empty)]);
        foreach (var row in expectedToday)
        {
            Assert.Equal(double.Parse(row[1], CultureInfo.InvariantCulture), samples[("relaywatch_ingested_events_today", $"source=\"{row[0]}\"")]);
        }

        Assert.Equal(1, samples[("relaywatch_store_up", string.Empty)]);
        Assert.Contains("# TYPE relaywatch_listener_dropped_lines gauge", text, StringComparison.Ordinal);
        Assert.Contains(samples.Keys, k => k.Name == "http_request_duration_seconds_count" && k.Labels.Contains("endpoint=\"/healthz\"", StringComparison.Ordinal));

        // The health answer for the same process.
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("engine").GetProperty("ok").GetBoolean());
        Assert.True(health.GetProperty("jobServer").GetProperty("ok").GetBoolean());
        Assert.Equal("not configured", health.GetProperty("listener").GetProperty("state").GetString());
    }

    [Fact]
    public async Task HealthTurnsUnhealthyWhenTheClickHouseServerStopsAnswering()
    {
        var clickHouse = new ClickHouseHttpFixture();
        await clickHouse.InitializeAsync();
        var stopped = false;
        try
        {
            var config = directory.Combine("relaywatch.json");
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
            {
                store = new { clickHouse = clickHouse.ConnectionString(), database = "monitored" },
                serve = new { jobStorage = directory.Combine("jobs.sqlite") },
            }));
            var origin = await StartAsync(["--config", config]);
            using var http = new HttpClient();
            var before = await WaitHealthyAsync(http, origin);

            await clickHouse.DisposeAsync();
            stopped = true;
            var after = await http.GetAsync(new Uri($"{origin}/healthz"));
            var body = JsonDocument.Parse(await after.Content.ReadAsStringAsync()).RootElement;
            var metrics = ParsePrometheus(await http.GetStringAsync(new Uri($"{origin}/metrics")));

            Assert.Equal("healthy", before.GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            Assert.False(body.GetProperty("engine").GetProperty("ok").GetBoolean());
            Assert.StartsWith("server failed:", body.GetProperty("engine").GetProperty("detail").GetString(), StringComparison.Ordinal);
            // The job server (its own SQLite file) still beats: only the engine is down.
            Assert.True(body.GetProperty("jobServer").GetProperty("ok").GetBoolean());
            Assert.Equal(0, metrics[("relaywatch_store_up", string.Empty)]);
        }
        finally
        {
            if (!stopped)
            {
                await clickHouse.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task BehindAProxyHealthAndMetricsNeedALoginWhileWithoutOneThisMachineReadsThem()
    {
        const string password = "correct horse battery";
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(password + "\n", "--data", data, "serve", "user", "add", "vic", "--role", "viewer")).ExitCode);
        var proxied = directory.Combine("proxied.json");
        await File.WriteAllTextAsync(proxied, JsonSerializer.Serialize(new { serve = new { trustedProxies = new[] { "127.0.0.1" } } }));

        // Users but no proxy: a request from this machine reads both without logging in.
        var direct = await StartAsync(["--data", data]);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"{direct}/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri($"{direct}/metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"{direct}/api/schedule"))).StatusCode);
        await RelayWatchProcess.StopAsync(started[^1]);
        started.RemoveAt(started.Count - 1);

        // Behind a proxy every request looks local: nobody reads them without logging in; a viewer does.
        var origin = await StartAsync(["--data", data, "--config", proxied]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"{origin}/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"{origin}/metrics"))).StatusCode);
        using var viewer = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var page = await viewer.GetStringAsync(new Uri($"{origin}/login"));
        var field = Regex.Match(page, "<input type=\"hidden\" name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\">");
        var login = await viewer.PostAsync(new Uri($"{origin}/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [field.Groups[1].Value] = WebUtility.HtmlDecode(field.Groups[2].Value), ["user"] = "vic", ["password"] = password, ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(new Uri($"{origin}/metrics"))).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await viewer.GetAsync(new Uri($"{origin}/healthz"))).StatusCode);
    }

    [Fact]
    public async Task TheDemoPrintsACommandThatOpensTheConsoleOnItsData()
    {
        var output = directory.Combine("demo");
        var demo = await RelayWatchProcess.RunAsync("demo", "--out", output);
        Assert.True(demo.ExitCode == 0, demo.Error);

        var line = demo.Output.Split('\n').Single(l => l.StartsWith("Open the console:", StringComparison.Ordinal));
        var printed = ConsoleLine().Match(line);
        Assert.True(printed.Success, line);
        Assert.Equal(Path.Combine(output, "data"), printed.Groups["data"].Value);
        Assert.Equal("http://127.0.0.1:5080/", printed.Groups["url"].Value);

        // The printed command, on another port (tests run side by side), serves the demo's findings.
        var origin = await StartAsync(["--data", printed.Groups["data"].Value]);
        using var http = new HttpClient();
        var overview = await http.GetStringAsync(new Uri($"{origin}/"));
        Assert.Matches(@"<h2>\d{4}-\d{2}-\d{2} against the week before</h2>", overview);
    }

    /// <summary>
    /// Prometheus' text exposition format, line by line: comments are <c># HELP</c> or <c># TYPE</c>, every
    /// other line is <c>name{labels} value</c>; any other line fails the test.
    /// </summary>
    private static Dictionary<(string Name, string Labels), double> ParsePrometheus(string text)
    {
        var samples = new Dictionary<(string, string), double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(@"^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$", line);
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a Prometheus sample line: {line}");
            var value = sample.Groups["value"].Value;
            samples[(sample.Groups["name"].Value, sample.Groups["labels"].Value)] =
                value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN, _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) };
        }

        return samples;
    }

    private static async Task<List<string[]>> QueryAsync(string data, string sql)
    {
        var result = await RelayWatchProcess.RunAsync("--data", data, "query", sql, "--format", "tsv");
        Assert.True(result.ExitCode == 0, result.Error);
        return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))];
    }

    /// <summary>Asks until the job leaves the queue (Hangfire's own polling, at most a minute).</summary>
    private static async Task<string?> FinalStateAsync(HttpClient http, string url)
    {
        for (var i = 0; i < 120; i++)
        {
            var state = JsonDocument.Parse(await http.GetStringAsync(new Uri(url))).RootElement.GetProperty("state").GetString();
            if (state is "Succeeded" or "Failed")
            {
                return state;
            }

            await Task.Delay(500);
        }

        return null;
    }

    /// <summary>/healthz once this process's job server has announced itself (it does so just after start).</summary>
    private static async Task<JsonElement> WaitHealthyAsync(HttpClient http, string origin)
    {
        HttpResponseMessage response;
        var tries = 0;
        while ((response = await http.GetAsync(new Uri($"{origin}/healthz"))).StatusCode != HttpStatusCode.OK && ++tries < 60)
        {
            await Task.Delay(500);
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<string> StartAsync(string[] arguments)
    {
        var port = Loopback.FreePort();
        var serve = RelayWatchProcess.Start([.. arguments, "serve", "--urls", $"http://127.0.0.1:{port}"]);
        started.Add(serve);
        if (await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on") is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }

        return $"http://127.0.0.1:{port}";
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*)\})? (?<value>[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|Inf|NaN))( -?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^Open the console: +dotnet run --project src/Cli -- --data (?<data>\S+) serve +then (?<url>\S+) in a browser")]
    private static partial Regex ConsoleLine();
}
