using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary>serve with its real Hangfire server, SQLite job storage and HTTP endpoints, over loopback.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<System.Diagnostics.Process> started = [];

    public void Dispose()
    {
        // A failed assertion must not leave a server running: ended by its id, as the test may have disposed it.
        foreach (var process in started)
        {
            RelayWatchProcess.StopAsync(process).GetAwaiter().GetResult();
        }

        http.Dispose();
        directory.Dispose();
    }

    [Fact]
    public async Task DetectionRunsAsAJobWhoseHistorySurvivesARestart()
    {
        var data = directory.Combine("data");
        var ingest = await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"));
        Assert.True(ingest.ExitCode == 0, ingest.Error);

        string job;
        var port = Loopback.FreePort();
        using (var serve = await StartAsync(data, port))
        {
            var queued = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/api/detect?day=2026-11-24"), null);
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
            job = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;

            var state = await WaitForAsync(port, job, "Succeeded");
            Assert.Matches(@"^2026-11-24: dha \d+, relay_probe \d+, open_relay 1, spoofing \d+, backscatter 1, bounce_source 1, auth_bruteforce 2, compromised_account 0, snowshoe 0, dmarc_forgery 0, outbound_auth_failure 0 in [\d.]+ s$", state.GetProperty("result").GetString());

            var findings = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{port}/api/findings?day=2026-11-24"));
            var openRelay = findings.EnumerateArray().Single(f => f.GetProperty("detector").GetString() == "open_relay");
            Assert.Equal("critical", openRelay.GetProperty("severity").GetString());
            Assert.Contains("accepted and delivered by mx1", openRelay.GetProperty("why").GetString(), StringComparison.Ordinal);

            var schedule = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{port}/api/schedule"));
            Assert.Equal(["blocklist-hourly", "detect-daily-close", "detect-hourly", "report-daily", "score-daily", "train-weekly"], schedule.EnumerateArray().Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/hangfire"))).StatusCode);

            var reportJob = (await (await http.PostAsync(new Uri($"http://127.0.0.1:{port}/api/report?day=2026-11-24"), null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
            var reported = await WaitForAsync(port, reportJob, "Succeeded");
            Assert.StartsWith("2026-11-24: report-2026-11-24.html; ", reported.GetProperty("result").GetString(), StringComparison.Ordinal);
            var reports = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{port}/reports"));
            Assert.Equal(["report-2026-11-24.md", "report-2026-11-24.json", "report-2026-11-24.html"], reports.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
            var page = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/reports/report-2026-11-24.html"));
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("open relaying", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/reports/..%2Fhangfire.sqlite"))).StatusCode);
            await StopAsync(serve);
        }

        Assert.True(File.Exists(Path.Combine(data, "hangfire.sqlite")));
        using (var again = await StartAsync(data, port))
        {
            var state = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{port}/api/jobs/{job}"));
            Assert.Equal("Succeeded", state.GetProperty("state").GetString());
            await StopAsync(again);
        }
    }

    [Fact]
    public async Task ADetectionJobReloadsTheConfiguredNetworkContextWhenItsFileChanged()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"))).ExitCode);
        var csv = directory.Combine("networks.csv");
        File.Copy(Path.Combine(RepositoryFolders.Samples, "simulated", "context.csv"), csv);
        var networks = File.ReadLines(csv).Count(line => line.Length > 0 && char.IsDigit(line[0]));
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { context = new { csv } }));

        var port = Loopback.FreePort();
        using var serve = await StartAsync(data, port, config);
        var first = await DetectAsync(port);
        var unchanged = await DetectAsync(port);
        await File.AppendAllTextAsync(csv, "198.18.0.0/15,64999,Benchmark Testing Networks,ZZ\n");
        var changed = await DetectAsync(port);
        await File.WriteAllTextAsync(csv, "network,asn\nnot a network,1\n");
        var broken = await DetectAsync(port);
        await StopAsync(serve);

        Assert.StartsWith($"network context reloaded ({networks} networks); 2026-11-24: dha ", first, StringComparison.Ordinal);
        Assert.StartsWith("2026-11-24: dha ", unchanged, StringComparison.Ordinal);
        Assert.StartsWith($"network context reloaded ({networks + 1} networks); 2026-11-24: ", changed, StringComparison.Ordinal);
        Assert.StartsWith("network context kept: ", broken, StringComparison.Ordinal);
        Assert.Contains("The network context was left as it was. 2026-11-24: dha ", broken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelaysPollTheBlocklistCheaplyWithAnETag()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"))).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "detect")).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "blocklist", "update")).ExitCode);

        var port = Loopback.FreePort();
        using var serve = await StartAsync(data, port);
        var first = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/blocklists/postfix-cidr"));
        var body = await first.Content.ReadAsStringAsync();
        var etag = first.Headers.ETag;
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/blocklists/postfix-cidr"));
        again.Headers.IfNoneMatch.Add(etag!);
        var unchanged = await http.SendAsync(again);
        var unknown = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/blocklists/pf"));
        var exchange = await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{port}/blocklists/exchange"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(etag);
        Assert.Contains("2001:db8:5a0b::/48 REJECT", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // The Exchange script keeps its byte order mark over HTTP, as in the exported file.
        Assert.Equal([0xEF, 0xBB, 0xBF, (byte)'#'], exchange[..4]);
        await StopAsync(serve);
    }

    [Fact]
    public async Task ABadDayIsRefusedInOneSentence()
    {
        var port = Loopback.FreePort();
        using var serve = await StartAsync(directory.Combine("data"), port);

        var response = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/api/detect?day=yesterday"), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("day yesterday is not a date such as 2026-11-24.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        await StopAsync(serve);
    }

    private async Task<JsonElement> WaitForAsync(int port, string job, string wanted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var state = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{port}/api/jobs/{job}"), timeout.Token);
            if (state.GetProperty("state").GetString() == wanted)
            {
                return state;
            }

            await Task.Delay(250, timeout.Token);
        }
    }

    /// <summary>Queues detection of the sample day and returns the job's result once it succeeded.</summary>
    private async Task<string> DetectAsync(int port)
    {
        var queued = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/api/detect?day=2026-11-24"), null);
        var job = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
        return (await WaitForAsync(port, job, "Succeeded")).GetProperty("result").GetString()!;
    }

    private async Task<System.Diagnostics.Process> StartAsync(string data, int port, string? config = null)
    {
        var serve = RelayWatchProcess.Start([.. config is null ? [] : new[] { "--config", config }, "--data", data, "serve", "--urls", $"http://127.0.0.1:{port}"]);
        started.Add(serve);
        var ready = await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on");
        if (ready is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }

        return serve;
    }

    private static async Task StopAsync(System.Diagnostics.Process serve)
    {
        await RelayWatchProcess.SendSigtermAsync(serve);
        await serve.WaitForExitAsync();
        Assert.Equal(0, serve.ExitCode);
    }
}
