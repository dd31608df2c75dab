using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RelayWatch.Bench;

/// <summary>
/// <c>soak</c>: syslog over loopback TCP into <c>relaywatch serve --listen</c> (the real executable, a child
/// process with its own embedded store) while the console's pages are requested. First a probe sends as fast as
/// the listener takes lines (TCP senders wait when its queue is full) and measures the committed rate over its
/// second half: the sustainable rate. Then the soak sends at that rate (at most the target) for its duration.
/// Printed: serve's working set over time and its peak, lines sent, accepted (serve's own count at its
/// SIGTERM) and stored (events in the store: every line sent is one refusal, one event), drops by reason, and
/// page latency p50 and p99 per page and overall. Nothing accepted may be missing from the store.
/// </summary>
internal static partial class SoakBenchmark
{
    private static readonly string[] PagePaths = ["/", "/ingest", "/findings", "/healthz", "/ip/203.0.113.7", "/blocklist"];

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var seconds = (int)arguments.Long("--seconds", 60);
        var probeSeconds = (int)arguments.Long("--probe-seconds", 20);
        var target = arguments.Long("--target", 50_000);
        var fixedRate = arguments.Long("--rate", 0);
        var connections = (int)arguments.Long("--connections", 4);
        var pageClients = (int)arguments.Long("--page-clients", 2);
        var executable = Path.Combine(AppContext.BaseDirectory, "relaywatch.dll");

        var folder = Directory.CreateTempSubdirectory("relaywatch-soak-").FullName;
        var data = Path.Combine(folder, "data");
        var (web, syslog) = (FreePort(), FreePort());
        Console.WriteLine($"soak: serve --listen on tcp 127.0.0.1:{syslog}, pages on http://127.0.0.1:{web}, {connections} syslog connections, {pageClients} page clients; data in {data}");

        using var serve = Start(executable, ["--data", data, "serve", "--urls", $"http://127.0.0.1:{web}", "--listen", "--tcp", $"127.0.0.1:{syslog}"]);
        var errors = new List<string>();
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var draining = Task.Run(async () =>
        {
            // serve's stderr is read all the time, or a full pipe would stall it.
            while (await serve.StandardError.ReadLineAsync() is { } line)
            {
                lock (errors)
                {
                    errors.Add(line);
                }

                if (line.StartsWith("RelayWatch serve on", StringComparison.Ordinal))
                {
                    ready.TrySetResult(true);
                }
            }

            ready.TrySetResult(false);
        });
        try
        {
            if (!await ready.Task)
            {
                Console.Error.WriteLine("serve ended before it was ready:\n" + string.Join('\n', errors));
                return 1;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var memory = new MemorySampler(serve.Id);
            var sampling = memory.RunAsync();
            using var stopPages = new CancellationTokenSource();
            var latencies = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var failedPages = 0L;
            var pages = Enumerable.Range(0, pageClients).Select(client => Task.Run(async () =>
            {
                for (var i = client; !stopPages.IsCancellationRequested; i++)
                {
                    var path = PagePaths[i % PagePaths.Length];
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{web}{path}"));
                    request.Headers.Accept.ParseAdd("text/html");
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        using var response = await http.SendAsync(request, stopPages.Token);
                        await response.Content.ReadAsByteArrayAsync(stopPages.Token);
                        if (!response.IsSuccessStatusCode && path != "/healthz")
                        {
                            Interlocked.Increment(ref failedPages);
                        }
                    }
                    catch (OperationCanceledException) when (stopPages.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failedPages);
                    }

                    lock (latencies)
                    {
                        (latencies.TryGetValue(path, out var list) ? list : latencies[path] = []).Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
            })).ToList();

            var sender = new SyslogSender(syslog, connections);
            await sender.ConnectAsync();
            var total = Stopwatch.StartNew();
            long rate;
            if (fixedRate > 0)
            {
                rate = fixedRate;
                Console.WriteLine($"rate: {rate:N0} lines/s as given");
            }
            else
            {
                // Flat out: the listener's queue fills, then TCP holds the senders to what is committed.
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(probeSeconds));
                var flat = sender.SendAsync(long.MaxValue, probe.Token);
                // Committed lines move in whole batches, too coarse for a few seconds: the senders' own rate in
                // the second half, once the queue is full and TCP holds them back, is the rate the listener takes.
                await Task.Delay(TimeSpan.FromSeconds(probeSeconds / 2.0));
                var (t1, sent1) = (total.Elapsed, sender.Sent);
                await flat;
                var (t2, sent2) = (total.Elapsed, sender.Sent);
                var sustainable = (sent2 - sent1) / (t2 - t1).TotalSeconds;
                rate = Math.Max(1, Math.Min(target, (long)sustainable));
                var storedSoFar = await StoredAsync(http, web);
                Console.WriteLine($"probe: {sender.Sent:N0} lines sent flat out in {probeSeconds} s; taken at {sustainable:N0} lines/s over its second half (stored so far {storedSoFar:N0}); soak rate {rate:N0} lines/s (target {target:N0})");
            }

            var soakStart = total.Elapsed;
            var sentBefore = sender.Sent;
            using (var soak = new CancellationTokenSource(TimeSpan.FromSeconds(seconds)))
            {
                var progress = Task.Run(async () =>
                {
                    while (!soak.IsCancellationRequested)
                    {
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds(10), soak.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }

                        var storedNow = await StoredAsync(http, web);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  {(total.Elapsed - soakStart).TotalSeconds,5:F0} s: sent {sender.Sent - sentBefore:N0}, stored {storedNow:N0}, serve working set {memory.Current / 1048576.0:N0} MiB"));
                    }
                });
                await sender.SendAsync(rate, soak.Token);
                await progress;
            }

            var soakSeconds = (total.Elapsed - soakStart).TotalSeconds;
            var soakSent = sender.Sent - sentBefore;
            await sender.DisposeAsync();

            // Let the listener commit what it read, then stop serve as a service manager does.
            var settle = Stopwatch.StartNew();
            long stored;
            while ((stored = await StoredAsync(http, web)) < sender.Sent && settle.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(500);
            }

            await stopPages.CancelAsync();
            await Task.WhenAll(pages);
            using (var kill = Process.Start("kill", ["-TERM", serve.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await serve.WaitForExitAsync();
            await draining;
            memory.Stop();
            await sampling;

            var summary = errors.Select(e => StoppedLine().Match(e)).FirstOrDefault(m => m.Success);
            var accepted = summary is null ? -1 : long.Parse(summary.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            var counts = await QueryAsync(executable, data, "SELECT count() FROM smtp_events");
            var drops = await QueryAsync(executable, data, "SELECT reason, sum(dropped) FROM listener_drops FINAL GROUP BY reason ORDER BY reason");
            var storedEvents = long.Parse(counts.Trim(), CultureInfo.InvariantCulture);

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {soakSent:N0} lines in {soakSeconds:F1} s = {soakSent / soakSeconds:N0} lines/s sent (asked {rate:N0}); serve exited {serve.ExitCode}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lines sent {sender.Sent:N0}, accepted {accepted:N0} (serve's count at SIGTERM), stored {storedEvents:N0} events (one a line)"));
            Console.WriteLine($"drops by reason: {(drops.Trim().Length == 0 ? "none" : drops.Trim().Replace('\n', ';').Replace('\t', ' '))}");
            Console.WriteLine(accepted == storedEvents ? "nothing accepted was lost" : $"LOST: accepted {accepted:N0} but stored {storedEvents:N0}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serve's working set: peak {memory.Peak / 1048576.0:N0} MiB (kernel high-water mark {memory.HighWater / 1048576.0:N0} MiB); every 10 s: {string.Join(", ", memory.Timeline.Select(b => (b / 1048576.0).ToString("N0", CultureInfo.InvariantCulture)))} MiB"));
            var all = latencies.SelectMany(l => l.Value).ToList();
            Console.WriteLine($"pages: {all.Count:N0} requests, {failedPages} failed; latency ms p50 / p99 / max:");
            foreach (var (path, list) in latencies.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {path,-18} {list.Count,6:N0}  {Percentile(list, 0.50),8:N1} {Percentile(list, 0.99),8:N1} {list.Max(),8:N1}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"all",-18} {all.Count,6:N0}  {Percentile(all, 0.50),8:N1} {Percentile(all, 0.99),8:N1} {all.DefaultIfEmpty().Max(),8:N1}"));
            return accepted == storedEvents && serve.ExitCode == 0 ? 0 : 1;
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"The syslog listener stopped: ([\d,]+) lines received, ([\d,]+) events stored")]
    private static partial Regex StoppedLine();

    private static double Percentile(List<double> values, double share)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(share * sorted.Count) - 1)];
    }

    private static async Task<long> StoredAsync(HttpClient http, int web)
    {
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{web}/healthz"));
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return health.RootElement.GetProperty("listener").TryGetProperty("linesStored", out var stored) && stored.ValueKind == JsonValueKind.Number ? stored.GetInt64() : 0;
    }

    private static async Task<string> QueryAsync(string executable, string data, string sql)
    {
        using var query = Start(executable, ["--data", data, "query", sql]);
        var output = await query.StandardOutput.ReadToEndAsync();
        await query.StandardError.ReadToEndAsync();
        await query.WaitForExitAsync();
        return output;
    }

    private static Process Start(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("RELAYWATCH_CONFIG");
        start.Environment.Remove("RELAYWATCH_CLICKHOUSE");
        return Process.Start(start)!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Newline-framed Postfix refusals over several TCP connections, paced in 10 ms ticks; each line is one event.</summary>
    private sealed class SyslogSender(int port, int connections) : IAsyncDisposable
    {
        private readonly List<TcpClient> clients = [];
        private long sent;

        public long Sent => Interlocked.Read(ref sent);

        public async Task ConnectAsync()
        {
            for (var i = 0; i < connections; i++)
            {
                var client = new TcpClient { NoDelay = false };
                await client.ConnectAsync(IPAddress.Loopback, port);
                clients.Add(client);
            }
        }

        /// <summary>Sends at <paramref name="rate"/> lines a second over all connections until cancelled; long.MaxValue sends flat out.</summary>
        public Task SendAsync(long rate, CancellationToken cancellationToken) => Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
        {
            var stream = client.GetStream();
            var perConnection = rate == long.MaxValue ? double.PositiveInfinity : rate / (double)connections;
            var clock = Stopwatch.StartNew();
            long mine = 0;
            var buffer = new StringBuilder();
            while (!cancellationToken.IsCancellationRequested)
            {
                var due = double.IsPositiveInfinity(perConnection) ? mine + 1000 : (long)(clock.Elapsed.TotalSeconds * perConnection);
                if (due <= mine)
                {
                    await Task.Delay(10, CancellationToken.None);
                    continue;
                }

                var count = (int)Math.Min(due - mine, 5000);
                buffer.Clear();
                var now = DateTime.UtcNow;
                var stamp = string.Create(CultureInfo.InvariantCulture, $"{now:MMM} {now.Day,2} {now:HH:mm:ss}");
                for (var i = 0; i < count; i++)
                {
                    var n = Interlocked.Increment(ref sent);
                    buffer.Append(CultureInfo.InvariantCulture,
                        $"<22>{stamp} mx{index + 1} postfix/smtpd[{2000 + index}]: NOQUEUE: reject: RCPT from unknown[198.51.100.{n % 250 + 1}]: 550 5.1.1 <u{n}@ours.example>: Recipient address rejected: User unknown in relay recipient table; from=<> to=<u{n}@ours.example> proto=ESMTP helo=<soak.example>\n");
                }

                mine += count;
                await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()), CancellationToken.None);
            }
        })));

        public ValueTask DisposeAsync()
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>serve's resident set, from /proc, every second: its current value, peak, one value each 10 s, and the kernel's high-water mark.</summary>
    private sealed class MemorySampler(int processId)
    {
        private volatile bool stopped;

        public long Current { get; private set; }

        public long Peak { get; private set; }

        public long HighWater { get; private set; }

        public List<long> Timeline { get; } = [];

        public void Stop() => stopped = true;

        public async Task RunAsync()
        {
            for (var tick = 0; !stopped; tick++)
            {
                try
                {
                    var status = await File.ReadAllLinesAsync($"/proc/{processId}/status");
                    Current = Kilobytes(status, "VmRSS:") * 1024;
                    HighWater = Math.Max(HighWater, Kilobytes(status, "VmHWM:") * 1024);
                    Peak = Math.Max(Peak, Current);
                    if (tick % 10 == 0)
                    {
                        Timeline.Add(Current);
                    }
                }
                catch (IOException)
                {
                    break;
                }

                await Task.Delay(1000);
            }
        }

        private static long Kilobytes(string[] status, string field) =>
            status.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) is { } line
                ? long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)
                : 0;
    }
}
