using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary>
/// <c>serve --follow FILE</c>: the files the relays write, followed inside serve (which owns the embedded store) as
/// <c>ingest --follow</c> follows them — what is there, then what is appended, committed when serve stops.
/// </summary>
public sealed class ServeFollowTests : IDisposable
{
    private static readonly string Sample = Path.Combine(RepositoryFolders.Samples, "simulated", "logs", "mx1", "mail.log");

    private readonly TemporaryDirectory directory = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<System.Diagnostics.Process> started = [];

    public ServeFollowTests() =>
        File.WriteAllText(directory.Combine("relaywatch.json"), "{ \"store\": { \"eventRetentionDays\": 20000 } }");

    public void Dispose()
    {
        foreach (var process in started)
        {
            RelayWatchProcess.StopAsync(process).GetAwaiter().GetResult();
        }

        http.Dispose();
        directory.Dispose();
    }

    [Fact]
    public async Task AFollowedFileIsStoredAsItGrowsAndAsIngestAloneWouldStoreIt()
    {
        var lines = File.ReadAllLines(Sample);
        var followed = directory.Combine("mail.log");
        await File.WriteAllLinesAsync(followed, lines[..10_000]);
        var web = Loopback.FreePort();
        var serve = RelayWatchProcess.Start(["--data", directory.Combine("data"), "--config", directory.Combine("relaywatch.json"), "serve", "--urls", $"http://127.0.0.1:{web}", "--follow", followed],
            // Its claim on the file (host-wide, by the file's first bytes) in a temporary folder of its own: other
            // tests read this sample meanwhile, and a one-off read passes over a file another process follows.
            environment: new Dictionary<string, string> { ["TMPDIR"] = Directory.CreateDirectory(directory.Combine("tmp")).FullName });
        started.Add(serve);
        var ready = await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on");
        Assert.True(ready is not null, "serve ended before it was ready");

        await File.AppendAllLinesAsync(followed, lines[10_000..]);
        // /healthz says it follows; the ingest page shows its checkpoint reach the last line (a batch commits after a quiet second).
        var health = await WaitForHealthyAsync(web);
        await WaitForCheckpointAsync(web, followed, lines.Length);
        await RelayWatchProcess.SendSigtermAsync(serve);
        var error = await serve.StandardError.ReadToEndAsync();
        await serve.WaitForExitAsync();

        Assert.Contains($"following {followed}; ", ready, StringComparison.Ordinal);
        Assert.Equal(followed, health.GetProperty("following")[0].GetProperty("file").GetString());
        Assert.Equal("following", health.GetProperty("following")[0].GetProperty("state").GetString());
        Assert.Equal(0, serve.ExitCode);
        Assert.Contains($"Stopped following {followed}: {lines.Length:N0} lines read", error, StringComparison.Ordinal);
        var alone = directory.Combine("alone");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", alone, "--config", directory.Combine("relaywatch.json"), "ingest", followed)).ExitCode);
        const string Holdings = "SELECT count(), sum(cityHash64(ts, event, client_ip, rcpt_to, queue_id, session_id, line)) FROM smtp_events";
        Assert.Equal(await QueryAsync(alone, Holdings), await QueryAsync(directory.Combine("data"), Holdings));
    }

    [Fact]
    public async Task AFolderIsNotAFileToFollow()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "serve", "--follow", directory.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relaywatch: --follow names one log file at a time, and {directory.Path} is not one; give --follow once per file.\n", result.Error);
    }

    private async Task<JsonElement> WaitForHealthyAsync(int web)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var response = await http.GetAsync(new Uri($"http://127.0.0.1:{web}/healthz"), patience.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>(patience.Token);
            }

            await Task.Delay(200, patience.Token);
        }
    }

    private async Task WaitForCheckpointAsync(int web, string path, int line)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var row = new System.Text.RegularExpressions.Regex($@"<td>{System.Text.RegularExpressions.Regex.Escape(path)}</td>.*?<td class=""num"">{line:N0}</td>");
        while (true)
        {
            using var page = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{web}/ingest"));
            page.Headers.Accept.ParseAdd("text/html");
            if (row.IsMatch(await (await http.SendAsync(page, patience.Token)).Content.ReadAsStringAsync(patience.Token)))
            {
                return;
            }

            await Task.Delay(250, patience.Token);
        }
    }

    private async Task<string> QueryAsync(string data, string sql)
    {
        var result = await RelayWatchProcess.RunAsync("--data", data, "--config", directory.Combine("relaywatch.json"), "query", sql);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }
}
