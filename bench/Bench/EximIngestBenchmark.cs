using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Sources;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Store;

namespace RelayWatch.Bench;

/// <summary>
/// Exim ingest throughput: the committed Exim sample (data/samples/exim, one relay's day written in
/// Exim's wording: arrivals, deliveries, refusals, authentication failures) repeated a day later each
/// time (each copy's messages complete before the next begins, so correlation state stays small, as in
/// a real log); parse only, then end to end into the embedded store.
/// </summary>
internal static class EximIngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var targetLines = arguments.Long("--lines", 1_000_000);
        var work = Path.Combine(Path.GetTempPath(), "relaywatch-exim-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var log = Path.Combine(work, "mx3", "mainlog");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        try
        {
            var lines = WriteLog(log, targetLines);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Exim ingest, {lines:N0} lines ({new FileInfo(log).Length / 1048576.0:N0} MB, native mainlog), {Environment.ProcessorCount} cores"));
            var parse = Math.Min(IngestBenchmark.Time(() => Parse(log)), IngestBenchmark.Time(() => Parse(log)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  parse only (prefix + Exim grammar + correlation)   {lines / parse,12:N0} lines/s  ({parse:F2} s)"));

            var options = new StoreOptions { DataDirectory = Path.Combine(work, "data"), Database = "bench", EventRetentionDays = 20_000 };
            await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
            var stopwatch = Stopwatch.StartNew();
            var summary = await new IngestRunner(store, new IngestOptions(), TimeProvider.System, NullLogger.Instance).IngestAsync([log], CancellationToken.None);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  end to end into the embedded store ({summary[0].Counts.Events:N0} events)   {lines / seconds,12:N0} lines/s  ({seconds:F2} s); peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Parse(string path)
    {
        var parser = new EximParser();
        var origin = new LineOrigin(path, null, TimestampContext.Utc(2026));
        using var stream = LogFiles.Open(path);
        using var reader = new LineReader(stream);
        while (reader.TryReadLine(out var line))
        {
            parser.Parse(line.Text, origin, line.Number);
        }
    }

    /// <summary>The sample repeated, each copy a day later.</summary>
    private static long WriteLog(string path, long targetLines)
    {
        var source = File.ReadAllLines(Path.Combine(BenchFolders.Samples, "exim", "mx3", "mainlog"));
        long lines = 0;
        using var output = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        for (var copy = 0; lines < targetLines; copy++)
        {
            var day = new DateTime(2026, 1, 1).AddDays(copy % 300).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var line in source)
            {
                if (lines == targetLines)
                {
                    break;
                }

                output.WriteLine(day + line[10..]);
                lines++;
            }
        }

        return lines;
    }
}
