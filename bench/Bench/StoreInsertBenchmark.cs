using System.Diagnostics;
using System.Globalization;
using System.Text;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Bench;

/// <summary>
/// Bulk-insert throughput into an <c>smtp_events</c> table on the embedded engine, three ways:
/// the engine generating equivalent rows itself (<c>INSERT … SELECT … FROM numbers()</c>, the
/// ceiling), RelayWatch's interop path (rows encoded in .NET as RowBinary and streamed through
/// chDB's streaming insert), and the same rows as a RowBinary file read by <c>file()</c>.
/// Prints rows/s for each and the interop path's share of the engine's own rate.
/// </summary>
internal static class StoreInsertBenchmark
{
    private const string Columns =
        "ts, relay, source, event, client_ip, client_host, helo, mail_from, rcpt_to, smtp_code, dsn, reason, queue_id, session_id, message_id, size, sasl_user, detail, file, line";

    private static readonly byte[][] Events = [.. new[] { "connect", "rcpt_reject", "message", "delivery", "disconnect" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly ushort[] Codes = [220, 550, 250, 250, 221];
    private static readonly byte[][] Dsns = [.. new[] { "", "5.1.1", "", "2.0.0", "" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] Reasons = [.. new[] { "", "user_unknown", "", "", "" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The same rows as <see cref="WriteRows"/>, generated inside the engine.</summary>
    private static string EngineGeneratedInsert(long rows) => $"""
        INSERT INTO smtp_events ({Columns})
        SELECT
            toDateTime64('2026-11-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number * 40),
            concat('mx', toString(number % 4), '.example.net'),
            'postfix',
            ['connect', 'rcpt_reject', 'message', 'delivery', 'disconnect'][number % 5 + 1],
            toIPv6(IPv4NumToString(toUInt32(3405803776 + (number * 2654435761) % 65536))),
            concat('host', toString(number % 50000), '.dyn.example.com'),
            concat('helo', toString(number % 20000)),
            concat('sender', toString(number % 100000), '@example.org'),
            concat('user', toString(number % 5000), '@ours.example'),
            [220, 550, 250, 250, 221][number % 5 + 1],
            ['', '5.1.1', '', '2.0.0', ''][number % 5 + 1],
            ['', 'user_unknown', '', '', ''][number % 5 + 1],
            hex(number % 10000000),
            concat('s', toString(intDiv(number, 5))),
            concat('<', toString(number), '@example.org>'),
            number % 100000,
            '',
            'Recipient address rejected: User unknown in virtual mailbox table',
            '/var/log/mail.log',
            number + 1
        FROM numbers({rows})
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var rows = arguments.Long("--rows", 2_000_000);
        var repeat = (int)arguments.Long("--repeat", 5);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "relaywatch-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var options = new StoreOptions { DataDirectory = dataDirectory, Database = "bench" };
        try
        {
            await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
            var version = await store.QueryScalarAsync("SELECT version()", CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Bulk insert into smtp_events (20 columns, ORDER BY (toDate(ts), event, client_ip, ts)), embedded ClickHouse {version}, {Environment.ProcessorCount} cores, {rows:N0} rows, {repeat} runs each, taking turns; shares are of the engine's own rate"));

            // Background merges of one run's parts would otherwise steal a core from the next run.
            await store.ExecuteAsync("SYSTEM STOP MERGES smtp_events", CancellationToken.None);

            var file = Path.Combine(dataDirectory, "rows.bin");
            await using (var output = File.Create(file))
            {
                await WriteRows(output, 0, rows, CancellationToken.None);
            }

            // The three ways take turns, run after run, so that a noisy machine slows them alike.
            var ways = new (string Name, Func<Task> Insert)[]
            {
                ("engine alone (INSERT … SELECT FROM numbers())", () => store.ExecuteAsync(EngineGeneratedInsert(rows), CancellationToken.None)),
                ("RelayWatch interop (RowBinary, streaming insert)", () => store.InsertAsync(
                    new BulkInsert("smtp_events", Columns.Split(", ")), (stream, token) => WriteRows(stream, 0, rows, token), CancellationToken.None)),
                ("RelayWatch interop, two inserts at once", () => Task.WhenAll(Enumerable.Range(0, 2).Select(half => store.InsertAsync(
                    new BulkInsert("smtp_events", Columns.Split(", ")), (stream, token) => WriteRows(stream, half * (rows / 2), rows / 2, token), CancellationToken.None)))),
                ("RowBinary file via file()", () => store.ExecuteAsync(
                    $"INSERT INTO smtp_events ({Columns}) SELECT * FROM file({SqlText.QuoteString(file)}, RowBinary, {SqlText.QuoteString(Structure)})",
                    CancellationToken.None)),
            };
            var runs = ways.Select(_ => new List<double>()).ToArray();
            for (var run = 0; run < repeat; run++)
            {
                for (var way = 0; way < ways.Length; way++)
                {
                    runs[way].Add(await MeasureAsync(store, rows, ways[way].Insert));
                }
            }

            var medians = runs.Select(Median).ToArray();

            var encodeOnly = await MeasureEncodingAsync(rows, repeat);

            for (var way = 0; way < ways.Length; way++)
            {
                Report(ways[way].Name, runs[way], runs[0]);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"RowBinary encoding alone in .NET",-50} {encodeOnly,12:N0} rows/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MiB"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private const string Structure =
        "ts DateTime64(3, 'UTC'), relay String, source String, event String, client_ip IPv6, client_host String, helo String, mail_from String, rcpt_to String, smtp_code UInt16, dsn String, reason String, queue_id String, session_id String, message_id String, size UInt64, sasl_user String, detail String, file String, line UInt64";

    /// <summary>One line per way: median and best rows/s, each as a share of the engine's own median and best.</summary>
    private static void Report(string name, List<double> runs, List<double> engineRuns) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-50} median {Median(runs),9:N0} rows/s ({Median(runs) / Median(engineRuns),4:P0})  best {runs.Max(),9:N0} rows/s ({runs.Max() / engineRuns.Max(),4:P0})  runs: {string.Join(", ", runs.Select(r => (r / 1000).ToString("N0", CultureInfo.InvariantCulture) + "k"))}"));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Rows/s of one insert into an emptied table, checking the row count afterwards.</summary>
    private static async Task<double> MeasureAsync(IClickHouseStore store, long rows, Func<Task> insert)
    {
        await store.ExecuteAsync("TRUNCATE TABLE smtp_events", CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();
        await insert();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var count = await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None);
        if (count != rows.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Expected {rows} rows after the insert, found {count}.");
        }

        return rows / seconds;
    }

    private static async Task<double> MeasureEncodingAsync(long rows, int repeat)
    {
        var best = 0.0;
        for (var run = 0; run < repeat; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            await WriteRows(Stream.Null, 0, rows, CancellationToken.None);
            best = Math.Max(best, rows / stopwatch.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>
    /// The rows of <see cref="EngineGeneratedInsert"/>, encoded in .NET and written in 1 MiB chunks.
    /// Text is composed as UTF-8 on the stack, as the ingest writes slices of log lines, so that the
    /// figure measures the interop path rather than string allocation in this generator.
    /// </summary>
    private static async Task WriteRows(Stream output, long first, long count, CancellationToken cancellationToken)
    {
        var writer = new RowBinaryWriter(2 << 20);
        for (var number = first; number < first + count; number++)
        {
            WriteRow(writer, number);
            if (writer.WrittenCount >= 1 << 20)
            {
                await output.WriteAsync(writer.WrittenMemory, cancellationToken);
                writer.Clear();
            }
        }

        await output.WriteAsync(writer.WrittenMemory, cancellationToken);
    }

    private static void WriteRow(RowBinaryWriter writer, long number)
    {
        var kind = (int)(number % 5);
        writer.WriteDateTime64Millis(Start.AddMilliseconds(number * 40));
        WriteComposed(writer, "mx"u8, number % 4, ".example.net"u8);
        writer.WriteString("postfix"u8);
        writer.WriteString(Events[kind]);
        writer.WriteIPv4AsIPv6(3405803776u + (uint)((ulong)(number * 2654435761L) % 65536));
        WriteComposed(writer, "host"u8, number % 50000, ".dyn.example.com"u8);
        WriteComposed(writer, "helo"u8, number % 20000, default);
        WriteComposed(writer, "sender"u8, number % 100000, "@example.org"u8);
        WriteComposed(writer, "user"u8, number % 5000, "@ours.example"u8);
        writer.WriteUInt16(Codes[kind]);
        writer.WriteString(Dsns[kind]);
        writer.WriteString(Reasons[kind]);
        Span<byte> hex = stackalloc byte[16];
        (number % 10000000).TryFormat(hex, out var hexLength, "X", CultureInfo.InvariantCulture);
        writer.WriteString(hex[..hexLength]);
        WriteComposed(writer, "s"u8, number / 5, default);
        WriteComposed(writer, "<"u8, number, "@example.org>"u8);
        writer.WriteUInt64((ulong)(number % 100000));
        writer.WriteString(ReadOnlySpan<byte>.Empty);
        writer.WriteString("Recipient address rejected: User unknown in virtual mailbox table"u8);
        writer.WriteString("/var/log/mail.log"u8);
        writer.WriteUInt64((ulong)number + 1);
    }

    private static void WriteComposed(RowBinaryWriter writer, ReadOnlySpan<byte> prefix, long number, ReadOnlySpan<byte> suffix)
    {
        Span<byte> text = stackalloc byte[64];
        prefix.CopyTo(text);
        number.TryFormat(text[prefix.Length..], out var digits, default, CultureInfo.InvariantCulture);
        suffix.CopyTo(text[(prefix.Length + digits)..]);
        writer.WriteString(text[..(prefix.Length + digits + suffix.Length)]);
    }
}
