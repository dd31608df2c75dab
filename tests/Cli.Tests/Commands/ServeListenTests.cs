using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary><c>serve --listen</c>: the syslog listener inside serve, over loopback, with the real engine and a real TCP sender.</summary>
public sealed class ServeListenTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<System.Diagnostics.Process> started = [];

    // The lines are dated in November: the store keeps them whatever today is.
    public ServeListenTests() =>
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
    public async Task LinesSentOverTcpToServeAreStoredAndShownOnTheIngestPageAndInHealthz()
    {
        var (serve, web, syslog, ready) = await StartAsync();

        await SendAsync(syslog, Lines(0, 1000));
        var health = await WaitForStoredAsync(web, 1000);
        using var page = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{web}/ingest"));
        page.Headers.Accept.ParseAdd("text/html");
        var ingest = await (await http.SendAsync(page)).Content.ReadAsStringAsync();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{web}/metrics"));
        await RelayWatchProcess.SendSigtermAsync(serve);
        var error = await serve.StandardError.ReadToEndAsync();
        await serve.WaitForExitAsync();
        var stored = await QueryAsync("SELECT count(), uniqExact(rcpt_to) FROM smtp_events WHERE file LIKE 'syslog %'");

        Assert.Contains($"syslog received on tcp 127.0.0.1:{syslog}; ", ready, StringComparison.Ordinal);
        var listener = health.GetProperty("listener");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("listening", listener.GetProperty("state").GetString());
        Assert.Equal($"tcp 127.0.0.1:{syslog}", listener.GetProperty("endpoints").GetString());
        Assert.Equal(1000, listener.GetProperty("eventsStored").GetInt64());
        Assert.Empty(listener.GetProperty("drops").EnumerateObject());
        Assert.Contains("<h2>Syslog listener</h2>", ingest, StringComparison.Ordinal);
        Assert.Matches($@"<td>listening</td><td>tcp 127\.0\.0\.1:{syslog}</td><td>[\d-]+ [\d:]+</td><td class=""num"">1,000</td><td class=""num"">1,000</td><td class=""num"">0</td>", ingest);
        Assert.Contains("relaywatch_listener_up 1", metrics, StringComparison.Ordinal);
        Assert.Contains("relaywatch_listener_stored_lines 1000", metrics, StringComparison.Ordinal);
        Assert.Equal(0, serve.ExitCode);
        Assert.Contains("The syslog listener stopped: 1,000 lines received, 1,000 events stored.", error, StringComparison.Ordinal);
        Assert.Equal("1000\t1000", stored);
    }

    [Fact]
    public async Task SigtermCommitsEveryLineTheListenerAccepted()
    {
        var (serve, _, syslog, _) = await StartAsync();

        // Stopped while lines are still arriving and queued: what it took in is stored, all of it.
        var sending = SendAsync(syslog, Lines(0, 20_000));
        await RelayWatchProcess.SendSigtermAsync(serve);
        var error = await serve.StandardError.ReadToEndAsync();
        await serve.WaitForExitAsync();
        try
        {
            await sending;
        }
        catch (IOException)
        {
            // serve closed the connection under the sender.
        }

        var received = System.Text.RegularExpressions.Regex.Match(error, @"The syslog listener stopped: ([\d,]+) lines received, ([\d,]+) events stored\.");
        var stored = await QueryAsync("SELECT count() FROM smtp_events WHERE file LIKE 'syslog %'");

        Assert.Equal(0, serve.ExitCode);
        Assert.True(received.Success, error);
        Assert.Equal(received.Groups[1].Value, received.Groups[2].Value);
        Assert.Equal(long.Parse(received.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture), stored);
    }

    [Fact]
    public async Task ListenerOptionsWithoutListenAreBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "serve", "--tcp", "127.0.0.1:5514");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: --tcp sets up serve's syslog listener: add --listen.\n", result.Error);
    }

    [Fact]
    public async Task ASyslogPortInUseStopsServeInOneSentence()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "serve", "--urls", $"http://127.0.0.1:{Loopback.FreePort()}", "--listen", "--tcp", $"127.0.0.1:{port}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"relaywatch: Cannot listen for syslog on 127.0.0.1:{port}: Address already in use", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoppedChildIsGoneEvenWhenItsProcessObjectWasDisposed()
    {
        var child = RelayWatchProcess.Start(["--data", directory.Combine("data"), "listen", "--tcp", $"127.0.0.1:{Loopback.FreePort()}"]);
        Assert.NotNull(await RelayWatchProcess.ReadErrorLineStartingAsync(child, "Listening for syslog"));
        var id = child.Id;
        child.Dispose();

        Assert.True(RelayWatchProcess.IsRunning(child));
        await RelayWatchProcess.StopAsync(child);

        Assert.False(RelayWatchProcess.IsRunning(child));
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(id).Dispose());
    }

    /// <summary>Postfix refusals, one event each, every recipient different; dated November 24.</summary>
    private static IEnumerable<string> Lines(int from, int count) =>
        Enumerable.Range(from, count).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"<22>Nov 24 10:{i / 60 % 60:00}:{i % 60:00} mx1 postfix/smtpd[2201]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 550 5.1.1 <u{i}@ours.example>: Recipient address rejected: User unknown in relay recipient table; from=<> to=<u{i}@ours.example> proto=ESMTP helo=<probe.example>"));

    private static async Task SendAsync(int port, IEnumerable<string> lines)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        foreach (var chunk in lines.Chunk(500))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(chunk.Select(l => l + "\n"))));
        }
    }

    private async Task<JsonElement> WaitForStoredAsync(int web, long lines)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var health = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{web}/healthz"), patience.Token);
            if (health.GetProperty("listener").TryGetProperty("linesStored", out var stored) && stored.ValueKind == JsonValueKind.Number && stored.GetInt64() >= lines)
            {
                return health;
            }

            await Task.Delay(200, patience.Token);
        }
    }

    private async Task<(System.Diagnostics.Process Serve, int Web, int Syslog, string Ready)> StartAsync()
    {
        var (web, syslog) = (Loopback.FreePort(), Loopback.FreePort());
        var serve = RelayWatchProcess.Start(["--data", directory.Combine("data"), "--config", directory.Combine("relaywatch.json"), "serve", "--urls", $"http://127.0.0.1:{web}", "--listen", "--tcp", $"127.0.0.1:{syslog}"]);
        started.Add(serve);
        var ready = await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on");
        if (ready is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }

        // The job server announces itself a moment after start; /healthz is 503 until it has.
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while ((await http.GetAsync(new Uri($"http://127.0.0.1:{web}/healthz"), patience.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(200, patience.Token);
        }

        return (serve, web, syslog, ready);
    }

    private async Task<string> QueryAsync(string sql)
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "--config", directory.Combine("relaywatch.json"), "query", sql);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output.TrimEnd('\n');
    }
}
