using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Sources;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Store;

namespace RelayWatch.Bench;

/// <summary>
/// Ingest throughput of a format whose only committed log is its hand-written sample (Exim's mainlog,
/// Domino's console log, IronPort's mail_logs, Exchange's SMTP receive protocol log, Sendmail's syslog): the sample repeated a day later each time (each copy's messages complete
/// before the next begins, so correlation state stays small, as in a real log); parse only, then end to
/// end into the embedded store.
/// </summary>
internal static class SampleIngestBenchmark
{
    /// <summary>A format's sample, and how to move one of its lines to another day.</summary>
    private sealed record Sample(LogFormat Format, string RelativePath, string Description, Func<string, DateTime, string> ToDay);

    private static readonly Sample Exim = new(LogFormat.Exim, "exim/mx3/mainlog", "native mainlog",
        (line, day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + line[10..]);

    private static readonly Sample Domino = new(LogFormat.Domino, "domino/domino1/console.log", "Linux console log",
        (line, day) => line.Replace("24.11.2026", day.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture), StringComparison.Ordinal));

    private static readonly Sample Ironport = new(LogFormat.Ironport, "ironport/esa1/mail_logs", "AsyncOS mail_logs",
        (line, day) => line.StartsWith("Tue Nov 24 ", StringComparison.Ordinal) && line.Length > 24
            ? string.Create(CultureInfo.InvariantCulture, $"{day:ddd MMM} {day.Day,2}{line[10..20]}{day:yyyy}{line[24..]}")
            : line);

    private static readonly Sample Exchange = new(LogFormat.Exchange, "exchange/edge1/RECV2026112400-1.LOG", "SMTP receive protocol log",
        (line, day) => line.Replace("2026-11-24", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal));

    private static readonly Sample Sendmail = new(LogFormat.Sendmail, "sendmail/mx4/maillog", "RFC 3164 syslog",
        (line, day) => line.StartsWith("Nov 24 ", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"{day:MMM} {day.Day,2}{line[6..]}")
            : line);

    public static Task<int> RunSendmailAsync(string[] args) => RunAsync(Sendmail, args);

    public static Task<int> RunExchangeAsync(string[] args) => RunAsync(Exchange, args);

    public static Task<int> RunIronportAsync(string[] args) => RunAsync(Ironport, args);

    public static Task<int> RunEximAsync(string[] args) => RunAsync(Exim, args);

    public static Task<int> RunDominoAsync(string[] args) => RunAsync(Domino, args);

    private static async Task<int> RunAsync(Sample sample, string[] args)
    {
        var arguments = new BenchArguments(args);
        var targetLines = arguments.Long("--lines", 1_000_000);
        var ingestOptions = new IngestOptions();
        ingestOptions.BatchLines = (int)arguments.Long("--batch-lines", ingestOptions.BatchLines);
        ingestOptions.InsertsInFlight = (int)arguments.Long("--in-flight", ingestOptions.InsertsInFlight);
        var name = LogFormats.NameOf(sample.Format);
        var work = Path.Combine(Path.GetTempPath(), $"relaywatch-{name}-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var log = Path.Combine(work, sample.RelativePath.Split('/')[1], Path.GetFileName(sample.RelativePath));
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        try
        {
            var lines = WriteLog(sample, log, targetLines);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ingest, {lines:N0} lines ({new FileInfo(log).Length / 1048576.0:N0} MB, {sample.Description}), {Environment.ProcessorCount} cores"));
            // The better of two runs, with its CPU time (collections included), which a shared machine's load inflates less
            // than the wall time; and the first run's, whose code is still being compiled as it goes.
            var first = IngestBenchmark.TimeWithCpu(() => Parse(sample.Format, log));
            var (parse, cpu) = IngestBenchmark.Better(first, IngestBenchmark.TimeWithCpu(() => Parse(sample.Format, log)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  parse only (prefix + {name} grammar + correlation)   {lines / parse,12:N0} lines/s  ({parse:F2} s; {cpu.TotalSeconds:F2} CPU s, {lines / cpu.TotalSeconds:N0} lines per CPU s; first run {lines / first.Seconds:N0} lines/s)"));
            if (arguments.Flag("--parse-only"))
            {
                return 0;
            }

            var options = new StoreOptions { DataDirectory = Path.Combine(work, "data"), Database = "bench", EventRetentionDays = 20_000 };
            await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            var summary = await new IngestRunner(store, ingestOptions, TimeProvider.System, NullLogger.Instance).IngestAsync([log], CancellationToken.None);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            var ingestCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  end to end into the embedded store ({summary[0].Counts.Events:N0} events; batches of {ingestOptions.BatchLines:N0} lines, {ingestOptions.InsertsInFlight} in flight)   {lines / seconds,12:N0} lines/s  ({seconds:F2} s; {ingestCpu.TotalSeconds:F2} CPU s); peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Parse(LogFormat format, string path)
    {
        var parser = LogFormats.CreateParser(format);
        var origin = new LineOrigin(path, null, TimestampContext.Utc(2026));
        using var stream = LogFiles.Open(path);
        using var reader = new LineReader(stream);
        while (reader.TryReadLine(out var line))
        {
            parser.Parse(line.Text, origin, line.Number);
            parser.TakeReleased();
        }
    }

    /// <summary>The sample repeated, each copy a day later.</summary>
    private static long WriteLog(Sample sample, string path, long targetLines)
    {
        var source = File.ReadAllLines(Path.Combine(BenchFolders.Samples, sample.RelativePath));
        long lines = 0;
        using var output = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        for (var copy = 0; lines < targetLines; copy++)
        {
            var day = new DateTime(2026, 1, 1).AddDays(copy % 300);
            foreach (var line in source)
            {
                if (lines == targetLines)
                {
                    break;
                }

                output.WriteLine(sample.ToDay(line, day));
                lines++;
            }
        }

        return lines;
    }
}
