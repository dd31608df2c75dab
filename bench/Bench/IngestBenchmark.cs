using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Sources;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Bench;

/// <summary>
/// Postfix ingest throughput on a large log: parse only, parse and encode, and end to end into the
/// embedded store (with peak RSS), next to pflogsumm (Debian's package) summarising the same file.
/// The log is the real production log of the corpora (69,861 lines), repeated with its clock moved
/// on a day each time, written as classic RFC 3164 syslog so that pflogsumm reads it too.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var targetLines = arguments.Long("--lines", 2_000_000);
        var work = Path.Combine(Path.GetTempPath(), "relaywatch-ingest-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            var log = Path.Combine(work, "mail.log");
            var (lines, bytes) = WriteLog(log, targetLines);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Postfix ingest, {lines:N0} lines ({bytes / (1024.0 * 1024):N0} MB, RFC 3164), {Environment.ProcessorCount} cores"));

            // Each figure is the better of two runs, so that JIT warm-up is not counted. The CPU seconds split
            // end to end's cost into what .NET spends reading, parsing and encoding and what the engine spends.
            // --end-to-end-only: for experiments on the store's side, which need many runs of that and nothing else.
            var endToEndOnly = arguments.Flag("--end-to-end-only");
            if (!endToEndOnly)
            {
                Report("parse only (syslog header + Postfix grammar + correlation)", lines, Better(TimeWithCpu(() => Parse(log, encode: false)), TimeWithCpu(() => Parse(log, encode: false))));
                Report("parse and encode as RowBinary", lines, Better(TimeWithCpu(() => Parse(log, encode: true)), TimeWithCpu(() => Parse(log, encode: true))));
                EncodeOnly(log);
            }

            var rssBefore = Process.GetCurrentProcess().PeakWorkingSet64;
            var sweep = InFlightSweep(arguments.Text("--in-flight", "1,2"));
            var repeat = (int)arguments.Long("--repeat", 1);
            var batchLines = (int)arguments.Long("--batch-lines", new IngestOptions().BatchLines);
            var engineEvents = arguments.Flag("--engine-events");
            var textCodec = arguments.Text("--text-codec", string.Empty);
            if (textCodec.Length > 0)
            {
                Console.WriteLine($"  text columns of migration 12 stored with CODEC({textCodec}) instead (an experiment: their insert cost)");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  batches of {batchLines:N0} lines"));
            var pflogsumm = new List<double>();
            var endToEnd = sweep.ToDictionary(n => n, _ => new List<double>());

            // Held open across the runs so that the engine starts once; each run has a database of its own.
            var keeper = await ClickHouseStore.OpenAsync(new StoreOptions { DataDirectory = Path.Combine(work, "data"), Database = "bench", EventRetentionDays = 20_000 }, null, CancellationToken.None);
            await using (keeper.ConfigureAwait(false))
            {
                for (var round = 1; round <= repeat; round++)
                {
                    // Turn by turn, pflogsumm in the same round, so that a busy spell of this shared machine hits all alike.
                    foreach (var inFlight in sweep)
                    {
                        var counters = engineEvents ? await EngineCountersAsync(keeper) : null;
                        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                        var (seconds, events, stored) = await IngestAsync(log, Path.Combine(work, "data"), $"bench_{round}_{inFlight}", inFlight, batchLines, textCodec);
                        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                        endToEnd[inFlight].Add(seconds);
                        Report($"round {round}: end to end, {inFlight} insert(s) in flight ({events:N0} events, {stored} rows)", lines, seconds, cpu);
                        if (counters is not null)
                        {
                            PrintEngineCounters(counters, await EngineCountersAsync(keeper));
                        }
                    }

                    if (!endToEndOnly && TimePflogsumm(log) is var (summarised, summaryCpu))
                    {
                        pflogsumm.Add(summarised);
                        Report($"round {round}: pflogsumm (summary only, Debian package)", lines, summarised, summaryCpu);
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MiB over all runs (before the store opened: {rssBefore / (1024.0 * 1024):N0} MiB)"));
            foreach (var inFlight in sweep)
            {
                var times = endToEnd[inFlight];
                var versus = pflogsumm.Count == times.Count
                    ? string.Create(CultureInfo.InvariantCulture, $"; against pflogsumm in the same round: {string.Join(", ", times.Zip(pflogsumm, (e, p) => (p / e).ToString("F2", CultureInfo.InvariantCulture) + "x"))}")
                    : string.Empty;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {inFlight} in flight: best {lines / times.Min(),12:N0} lines/s, median {lines / Median(times),12:N0}{versus}"));
            }

            if (pflogsumm.Count == 0 && !endToEndOnly)
            {
                Console.WriteLine("  pflogsumm is not installed (apt-get install pflogsumm) — no comparison");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>One end-to-end run into a database of its own (the engine allows one data directory per process).</summary>
    private static async Task<(double Seconds, long Events, string? Stored)> IngestAsync(string log, string data, string database, int inFlight, int batchLines, string textCodec)
    {
        var options = new StoreOptions { DataDirectory = data, Database = database, EventRetentionDays = 20_000 };
        await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
        if (textCodec.Length > 0)
        {
            // The table is empty: changing a column's codec is a metadata change, and every row of the run is written with it.
            foreach (var column in (string[])["session_id", "message_id", "queue_id", "mail_from", "rcpt_to", "detail", "client_host"])
            {
                await store.ExecuteAsync($"ALTER TABLE smtp_events MODIFY COLUMN {column} String CODEC({textCodec})", null, CancellationToken.None);
            }
        }

        var runner = new IngestRunner(store, new IngestOptions { Year = 2023, InsertsInFlight = inFlight, BatchLines = batchLines }, TimeProvider.System, NullLogger.Instance);
        var stopwatch = Stopwatch.StartNew();
        var summary = await runner.IngestAsync([log], CancellationToken.None);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var stored = await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None);
        await store.ExecuteAsync($"DROP DATABASE {database}", null, CancellationToken.None);
        return (seconds, summary[0].Counts.Events, stored);
    }

    /// <summary>The engine's own cumulative counters (<c>system.events</c>, process-wide), to split its share of a run.</summary>
    private static async Task<Dictionary<string, long>> EngineCountersAsync(IClickHouseStore store)
    {
        var rows = await store.QueryListAsync("SELECT event, value FROM system.events", null, CancellationToken.None);
        return rows.ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// What the engine counted during one run: its time counters (microseconds summed over its threads; nested
    /// ones overlap, so they do not add up) and the rows and bytes it handled, largest first.
    /// </summary>
    private static void PrintEngineCounters(Dictionary<string, long> before, Dictionary<string, long> after)
    {
        var deltas = after
            .Select(a => (Name: a.Key, Delta: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(d => d.Delta > 0)
            .ToList();
        foreach (var (name, delta) in deltas.Where(d => d.Name.EndsWith("Microseconds", StringComparison.Ordinal)).OrderByDescending(d => d.Delta).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    engine {name,-60} {delta / 1e6,10:F3} s"));
        }

        string[] counts = ["InsertedRows", "InsertedBytes", "MergedRows", "Merge", "MergeTreeDataWriterRows", "MergeTreeDataWriterUncompressedBytes", "MergeTreeDataWriterCompressedBytes", "MergeTreeDataWriterBlocks", "CompressedReadBufferBytes"];
        foreach (var (name, delta) in deltas.Where(d => counts.Contains(d.Name)))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    engine {name,-60} {delta,14:N0}"));
        }
    }

    private static int[] InFlightSweep(string list) =>
        [.. list.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Report(string name, long lines, double seconds) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-75} {lines / seconds,12:N0} lines/s  ({seconds:F2} s)"));

    /// <summary>With the CPU time spent (all threads, the engine's included): on a shared machine the lines per CPU second say what the work costs.</summary>
    private static void Report(string name, long lines, double seconds, TimeSpan cpu) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-75} {lines / seconds,12:N0} lines/s  ({seconds:F2} s; {cpu.TotalSeconds:F2} CPU s, {lines / cpu.TotalSeconds:N0} lines per CPU s)"));

    private static void Report(string name, long lines, (double Seconds, TimeSpan Cpu) run) => Report(name, lines, run.Seconds, run.Cpu);

    internal static (double Seconds, TimeSpan Cpu) Better((double Seconds, TimeSpan Cpu) a, (double Seconds, TimeSpan Cpu) b) => a.Seconds <= b.Seconds ? a : b;

    internal static (double Seconds, TimeSpan Cpu) TimeWithCpu(Action action)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var seconds = Time(action);
        return (seconds, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    internal static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static void Parse(string path, bool encode)
    {
        var rows = new RowBinaryWriter(16 << 20);
        ParseEach(path, encode ? e => EncodeInto(rows, e) : null);
    }

    /// <summary>Parses the file as Postfix, handing each event to <paramref name="each"/> (when given).</summary>
    private static void ParseEach(string path, Action<SmtpEvent>? each)
    {
        var parser = new PostfixParser();
        var origin = new LineOrigin(path, null, TimestampContext.Utc(2023));
        using var stream = LogFiles.Open(path);
        using var reader = new LineReader(stream);
        while (reader.TryReadLine(out var line))
        {
            if (parser.Parse(line.Text, origin, line.Number).Event is { } e)
            {
                each?.Invoke(e);
            }
        }
    }

    /// <summary>Encodes one event; past 8 MiB the rows are dropped, as a batch's would be, and their byte count returned.</summary>
    private static long EncodeInto(RowBinaryWriter rows, SmtpEvent e)
    {
        SmtpEventEncoder.Write(rows, e);
        if (rows.WrittenCount <= 8 << 20)
        {
            return 0;
        }

        var written = rows.WrittenCount;
        rows.Clear();
        return written;
    }

    /// <summary>
    /// Encoding alone, apart from parsing (whose noise on a shared machine hides it in "parse and encode"): the
    /// file's events parsed once and held, then encoded as RowBinary five times over; prints each pass's CPU seconds.
    /// </summary>
    private static void EncodeOnly(string path)
    {
        var events = new List<SmtpEvent>();
        ParseEach(path, events.Add);

        var rows = new RowBinaryWriter(16 << 20);
        var passes = new List<string>();
        long bytes = 0;
        for (var pass = 0; pass < 5; pass++)
        {
            var (_, cpu) = TimeWithCpu(() =>
            {
                bytes = 0;
                foreach (var e in events)
                {
                    bytes += EncodeInto(rows, e);
                }

                bytes += rows.WrittenCount;
                rows.Clear();
            });
            passes.Add(cpu.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  encode only, {events.Count:N0} events ({bytes / (1024.0 * 1024):N0} MiB of RowBinary), CPU s of five passes: {string.Join(", ", passes)}"));
    }

    /// <summary>The corpus log repeated, a day later each time, as RFC 3164 lines.</summary>
    internal static (long Lines, long Bytes) WriteLog(string path, long targetLines)
    {
        var corpus = Path.Combine(BenchFolders.Corpora, "pixelpark-postfix-logsums", "mail.log");
        var source = File.ReadAllLines(corpus);
        var context = TimestampContext.Utc(2023);
        long lines = 0;
        using var output = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        for (var day = 0; lines < targetLines; day++)
        {
            foreach (var line in source)
            {
                if (lines == targetLines)
                {
                    break;
                }

                if (SyslogHeaderReader.TryReadIso(line, context, out var stamp, out var consumed))
                {
                    var moved = stamp.AddDays(day);
                    output.Write(moved.ToString("MMM dd HH:mm:ss", CultureInfo.InvariantCulture).Remove(4, 1).Insert(4, moved.Day < 10 ? " " : moved.Day.ToString(CultureInfo.InvariantCulture)[..1]));
                    output.Write(line.AsSpan(consumed));
                }
                else
                {
                    output.Write(line);
                }

                output.Write('\n');
                lines++;
            }
        }

        output.Flush();
        return (lines, output.BaseStream.Length);
    }

    /// <summary>
    /// pflogsumm's wall time and CPU time on the file, its report discarded. The CPU time is the shell's
    /// <c>times</c> for its children: an exited process's own can no longer be read.
    /// </summary>
    private static (double Seconds, TimeSpan Cpu)? TimePflogsumm(string path)
    {
        try
        {
            var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-c", "pflogsumm \"$1\" > /dev/null || exit 1; times", "sh", path })
            {
                start.ArgumentList.Add(argument);
            }

            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var times = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            process.WaitForExit();
            var seconds = stopwatch.Elapsed.TotalSeconds;
            return process.ExitCode == 0 && times.Length >= 2 ? (seconds, times[1].Split(' ').Select(ShellTime).Aggregate(TimeSpan.Zero, (a, b) => a + b)) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>A duration as the shell's <c>times</c> writes it: <c>1m2.345s</c>.</summary>
    private static TimeSpan ShellTime(string text)
    {
        var minutes = text.IndexOf('m', StringComparison.Ordinal);
        return TimeSpan.FromMinutes(double.Parse(text[..minutes], CultureInfo.InvariantCulture))
            + TimeSpan.FromSeconds(double.Parse(text[(minutes + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture));
    }
}
