using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Reports;
using RelayWatch.Store;

namespace RelayWatch.Bench;

/// <summary>
/// What an event costs on disk once merged, column by column, and what the detectors and the report
/// take to read it: first the corpus's production Postfix log repeated (the ingest benchmark's file),
/// then simulated days of every relay vendor, each in a fresh embedded store merged to one part per
/// partition (<c>OPTIMIZE … FINAL</c>), as months-old data is.
/// </summary>
internal static class StorageBenchmark
{
    private static readonly DateOnly Start = new(2026, 10, 1);

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var lines = arguments.Long("--lines", 2_000_000);
        var days = (int)arguments.Long("--days", 14);

        var work = Path.Combine(Path.GetTempPath(), "relaywatch-storage-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            var log = Path.Combine(work, "mail.log");
            var (written, _) = IngestBenchmark.WriteLog(log, lines);
            var options = new StoreOptions { DataDirectory = Path.Combine(work, "data"), Database = "bench", EventRetentionDays = 20_000 };
            await using (var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None))
            {
                await new IngestRunner(store, new IngestOptions { Year = 2023 }, TimeProvider.System, NullLogger.Instance).IngestAsync([log], CancellationToken.None);
                await PrintColumnsAsync(store, $"Production Postfix log repeated ({written:N0} lines)");
                await CompareCodecsAsync(store);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        return await SimulatedStore.WithStoreAsync(Start, days, 1, async (store, root) =>
        {
            await PrintColumnsAsync(store, $"Simulated estate, {days} days at scale 1");
            await CompareCodecsAsync(store);
            var last = Start.AddDays(days - 1);
            Console.WriteLine($"{"detector",-16} {"seconds",9} {"s per day",10} {"findings",9}");
            foreach (var detector in DetectorCatalog.Create(new DetectorSettings()))
            {
                var runs = await new DetectionRunner(store, new EstateSettings(), [detector], NullLogger.Instance).RunAsync(Start, last, null, CancellationToken.None);
                var seconds = runs.Sum(r => r.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{detector.Name,-16} {seconds,9:F1} {seconds / days,10:F2} {runs.Sum(r => r.Findings),9:N0}"));
            }

            for (var run = 1; run <= 2; run++)
            {
                var stopwatch = Stopwatch.StartNew();
                await new ReportBuilder(store, new EstateSettings(), new ReportSettings(), TimeProvider.System).BuildAsync(last, CancellationToken.None);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"report of {last:yyyy-MM-dd}, run {run}: built in {stopwatch.Elapsed.TotalSeconds:F1} s"));
            }
        });
    }

    /// <summary>
    /// Candidate codecs for the heavy columns, each set tried on a copy of the events (same sorting key,
    /// same rows, merged to one part): the figures the schema's codecs were chosen by.
    /// </summary>
    private static readonly (string Name, string[] Columns)[] CodecCandidates =
    [
        Candidate("zstd1", "ZSTD(1)", "ZSTD(1)", "ZSTD(1)", "ZSTD(1)"),
        Candidate("zstd3", "ZSTD(3)", "ZSTD(3)", "ZSTD(3)", "ZSTD(3)"),
        Candidate("delta+zstd1", "Delta(8), ZSTD(1)", "Delta(8), ZSTD(1)", "ZSTD(3)", "T64, ZSTD(1)"),
        Candidate("doubledelta/t64", "DoubleDelta, ZSTD(1)", "T64, ZSTD(1)", "ZSTD(3)", "T64, ZSTD(1)"),
        Candidate("t64+zstd3", "T64, ZSTD(3)", "T64, ZSTD(3)", "ZSTD(3)", "T64, ZSTD(3)"),
    ];

    private static readonly string[] ProbedColumns = ["ts", "line", "session_id", "message_id", "queue_id", "mail_from", "rcpt_to", "size", "detail", "client_host"];

    private static (string, string[]) Candidate(string name, string time, string line, string text, string size) =>
        (name,
        [
            $"ts DateTime64(3, 'UTC') CODEC({time})", $"line UInt64 CODEC({line})", $"size UInt64 CODEC({size})",
            .. new[] { "session_id", "message_id", "queue_id", "mail_from", "rcpt_to", "detail", "client_host" }.Select(c => $"{c} String CODEC({text})"),
        ]);

    private static async Task CompareCodecsAsync(IClickHouseStore store)
    {
        Console.WriteLine("  candidate codecs, bytes per event on a merged copy:");
        foreach (var (name, columns) in CodecCandidates)
        {
            await store.ExecuteAsync("DROP TABLE IF EXISTS codec_probe", CancellationToken.None);
            await store.ExecuteAsync("CREATE TABLE codec_probe AS smtp_events", CancellationToken.None);
            foreach (var column in columns)
            {
                await store.ExecuteAsync($"ALTER TABLE codec_probe MODIFY COLUMN {column}", CancellationToken.None);
            }

            await store.ExecuteAsync("INSERT INTO codec_probe SELECT * FROM smtp_events", CancellationToken.None);
            await store.ExecuteAsync("OPTIMIZE TABLE codec_probe FINAL", CancellationToken.None);
            var rows = await store.QueryListAsync(
                "SELECT name, data_compressed_bytes / (SELECT count() FROM codec_probe) FROM system.columns " +
                "WHERE database = currentDatabase() AND table = 'codec_probe' AND has({columns:Array(String)}, name) ORDER BY data_compressed_bytes DESC", new Dictionary<string, string> { ["columns"] = SqlText.QuoteArray(ProbedColumns) }, CancellationToken.None);
            var total = await store.QueryScalarAsync(
                "SELECT sum(bytes_on_disk) / (SELECT count() FROM codec_probe) FROM system.parts WHERE database = currentDatabase() AND table = 'codec_probe' AND active", CancellationToken.None);
            var perColumn = string.Join("  ", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r[0]} {double.Parse(r[1], CultureInfo.InvariantCulture):F2}")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {name,-16} total {double.Parse(total ?? "0", CultureInfo.InvariantCulture),6:F1}  {perColumn}"));
        }

        await store.ExecuteAsync("DROP TABLE IF EXISTS codec_probe", CancellationToken.None);
    }

    /// <summary>Merges the events to one part per month, then prints bytes per event in total and per column.</summary>
    private static async Task PrintColumnsAsync(IClickHouseStore store, string title)
    {
        var stopwatch = Stopwatch.StartNew();
        await store.ExecuteAsync("OPTIMIZE TABLE smtp_events FINAL", CancellationToken.None);
        var events = double.Parse(await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None) ?? "0", CultureInfo.InvariantCulture);
        var onDisk = double.Parse(await store.QueryScalarAsync(
            "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND table = 'smtp_events' AND active", CancellationToken.None) ?? "0", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{title}: {events:N0} events, {onDisk / 1048576:N1} MiB on disk after merging ({stopwatch.Elapsed.TotalSeconds:F0} s): {onDisk / events:F1} bytes per event"));
        Console.WriteLine($"  {"column",-14} {"type",-32} {"codec",-28} {"bytes/event",12} {"ratio",7}");
        var columns = await store.QueryListAsync(
            "SELECT name, type, compression_codec, data_compressed_bytes, data_uncompressed_bytes FROM system.columns " +
            "WHERE database = currentDatabase() AND table = 'smtp_events' ORDER BY data_compressed_bytes DESC", null, CancellationToken.None);
        foreach (var column in columns)
        {
            var compressed = double.Parse(column[3], CultureInfo.InvariantCulture);
            var uncompressed = double.Parse(column[4], CultureInfo.InvariantCulture);
            var codec = column[2].Length == 0 ? "(default)" : column[2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {column[0],-14} {column[1],-32} {codec,-28} {compressed / events,12:F2} {(compressed == 0 ? 0 : uncompressed / compressed),7:F1}"));
        }
    }
}
