using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Loading;

public sealed class IngestRunnerTests : IDisposable
{
    private const string RealLog = "pixelpark-postfix-logsums/mail.log";

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-ingest-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [CorpusFact]
    public async Task ARealLogLandsWithOneRowPerEventAndReadingItAgainAddsNothing()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var runner = Runner(store);

        var first = await runner.IngestAsync([Corpora.PathOf(RealLog)], CancellationToken.None);
        var second = await Runner(store).IngestAsync([Corpora.PathOf(RealLog)], CancellationToken.None);

        // Of its lines, 4,977 are postscreen's HANGUP, BARE NEWLINE and COMMAND … LIMIT and smtpd's rDNS mismatches: events since these name an abusive client.
        Assert.Equal(new FileCounts(25_993, 43_868, 0, 1), first[0].Counts);
        Assert.Null(first[0].Problem);
        Assert.Equal(FileCounts.Zero, second[0].Counts);
        Assert.Equal("25993", await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None));
        Assert.Equal("5341\t5341", (await store.QueryListAsync("SELECT countIf(event = 'connect'), countIf(event = 'disconnect') FROM smtp_events", null, CancellationToken.None))[0] is var r ? $"{r[0]}\t{r[1]}" : null);
        Assert.Equal("1", await store.QueryScalarAsync("SELECT count() FROM ingest_errors", CancellationToken.None));
    }

    [CorpusFact]
    public async Task AFileThatGrewIsReadOnlyFromWhereItStopped()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var lines = Corpora.Lines(RealLog).Take(3000).ToList();
        var path = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(path, lines.Take(1000));

        var before = await Runner(store).IngestAsync([path], CancellationToken.None);
        await File.AppendAllLinesAsync(path, lines.Skip(1000));
        var after = await Runner(store).IngestAsync([path], CancellationToken.None);
        var clean = await CountEventsOfACleanRunAsync(lines);

        Assert.Equal(1000, before[0].Counts.Lines);
        Assert.Equal(2000, after[0].Counts.Lines);
        Assert.Equal(clean, await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None));
    }

    /// <summary>
    /// Every Exchange log file begins with the same line (<c>#Software: Microsoft Exchange Server</c>):
    /// a day's file is not the day before's file grown or renamed, and is read from its beginning.
    /// </summary>
    [Fact]
    public async Task ExchangeLogsOfDifferentDaysAreDifferentFiles()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var sample = SampleFiles.PathOf("exchange/edge1/RECV2026112400-1.LOG");
        var lines = await File.ReadAllLinesAsync(sample);
        var nextDay = lines.Select(l => l.Replace("2026-11-24T", "2026-11-25T", StringComparison.Ordinal)).ToList();
        await File.WriteAllLinesAsync(Path.Combine(directory, "RECV2026112400-1.LOG"), lines);
        var yesterday = await Runner(store).IngestAsync([directory], CancellationToken.None);
        await File.WriteAllLinesAsync(Path.Combine(directory, "RECV2026112500-1.LOG"), nextDay);

        var today = await Runner(store).IngestAsync([directory], CancellationToken.None);

        Assert.Equal([0, lines.Length], today.Select(r => r.Counts.Lines));
        Assert.Equal(yesterday[0].Counts, today[1].Counts);
        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM ingest_errors", CancellationToken.None));
    }

    [CorpusFact]
    public async Task ARotatedAndCompressedFileKeepsItsCheckpoint()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var lines = Corpora.Lines(RealLog).Take(2000).ToList();
        var live = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(live, lines);
        await Runner(store).IngestAsync([live], CancellationToken.None);

        // logrotate: mail.log → mail.log.1 → mail.log.2.gz, and a new mail.log begins.
        await using (var gz = new GZipStream(File.Create(Path.Combine(directory, "mail.log.2.gz")), CompressionLevel.Fastest))
        {
            await gz.WriteAsync(await File.ReadAllBytesAsync(live));
        }

        File.Delete(live);
        await File.WriteAllLinesAsync(Path.Combine(directory, "mail.log"), Corpora.Lines(RealLog).Skip(2000).Take(500));
        var again = await Runner(store).IngestAsync([directory], CancellationToken.None);

        Assert.Equal([Path.Combine(directory, "mail.log.2.gz"), Path.Combine(directory, "mail.log")], again.Select(s => s.Path));
        Assert.Equal(0, again[0].Counts.Lines);
        Assert.Equal(500, again[1].Counts.Lines);
        Assert.Equal(await CountEventsOfACleanRunAsync(Corpora.Lines(RealLog).Take(2500).ToList()), await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None));
    }

    [Fact]
    public async Task HostileBytesAreRepairedCountedAndNeverStopTheFile()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var path = Path.Combine(directory, "hostile.log");
        var good = "Nov 28 10:00:06 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.10]";
        await using (var file = File.Create(path))
        {
            void Write(byte[] bytes) => file.Write(bytes);
            Write(Encoding.UTF8.GetBytes(good + "\r\n"));
            Write([0x00, 0x00, 0x00, 0x0A]);
            Write(Encoding.UTF8.GetBytes("Nov 28 10:00:07 mx1 postfix/smtpd[1]: connect from b\u00e9.example[192.0.2.11]\n"));
            Write([.. Encoding.UTF8.GetBytes("Nov 28 10:00:08 mx1 postfix/smtpd[1]: connect from c"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(".example[192.0.2.12]\n")]);
            Write(Encoding.UTF8.GetBytes(new string('x', 100_000) + "\n"));
            Write([.. Enumerable.Range(0, 512).Select(i => (byte)(i * 7)).Select(b => b == (byte)'\n' ? (byte)11 : b), (byte)'\n']);
            Write(Encoding.UTF8.GetBytes("Nov 28 10:00:09 mx1 postfix/smtpd[1]: connect from d.example[192.0.2.13]"));
        }

        var summary = (await Runner(store).IngestAsync([path], CancellationToken.None))[0];

        Assert.Equal(7, summary.Counts.Lines);
        Assert.Equal(4, summary.Counts.Events);
        Assert.Equal(3, summary.Counts.Unrecognised);
        Assert.Equal(5, summary.Counts.Repaired);
        Assert.Equal(
            ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"],
            (await store.QueryListAsync("SELECT replaceOne(toString(client_ip), '::ffff:', '') FROM smtp_events ORDER BY line", null, CancellationToken.None)).Select(r => r[0]));
        Assert.Equal("c\uFFFD(.example", await store.QueryScalarAsync("SELECT client_host FROM smtp_events WHERE line = 4", CancellationToken.None));
        var reasons = await store.QueryListAsync("SELECT line, reason FROM ingest_errors ORDER BY line", null, CancellationToken.None);
        Assert.Equal(
            [
                ["2", "no syslog header; NUL bytes replaced"],
                ["4", "invalid UTF-8 replaced"],
                ["5", "no syslog header; line over 64 KiB cut"],
                ["6", "no syslog header; invalid UTF-8 replaced, NUL bytes replaced"],
                ["7", "no newline at end of file"],
            ],
            reasons);
    }

    [CorpusFact]
    public async Task AGzipFileCutShortYieldsItsReadableLinesAndSaysSo()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var whole = new MemoryStream();
        await using (var gz = new GZipStream(whole, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gz.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', Corpora.Lines(RealLog).Take(20_000)) + "\n"));
        }

        var path = Path.Combine(directory, "mail.log.1.gz");
        await File.WriteAllBytesAsync(path, whole.ToArray()[..(int)(whole.Length / 2)]);

        var summary = (await Runner(store).IngestAsync([path], CancellationToken.None))[0];

        Assert.InRange(summary.Counts.Lines, 1000, 19_999);
        Assert.NotNull(summary.Problem);
        Assert.StartsWith($"{path} is damaged or cut short (", summary.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileOfNoKnownFormatIsReportedAndNotRead()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var path = Path.Combine(directory, "notes.txt");
        await File.WriteAllTextAsync(path, "shopping list\nmilk\n");

        var summary = (await Runner(store).IngestAsync([path], CancellationToken.None))[0];

        Assert.Equal($"the format of {path} was not recognised from its first lines; name it with --format (postfix, exim, domino, ironport, exchange, sendmail)", summary.Problem);
        Assert.Equal(FileCounts.Zero, summary.Counts);
    }

    /// <summary>
    /// Ingesting a folder such as /var/log reads its mail logs and passes over the rest with a note, not a
    /// failure: other programs' logs, binary files, and the files syslog writes the same mail lines to again
    /// (Debian's syslog and mail.err beside mail.log), which would store those lines twice.
    /// </summary>
    [Fact]
    public async Task AFolderIsReadForItsMailLogsAndTheOtherFilesAreANote()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var log = Directory.CreateDirectory(Path.Combine(directory, "var", "log")).FullName;
        string[] mail =
        [
            "Nov 28 10:00:00 mx1 postfix/smtpd[1]: connect from unknown[203.0.113.7]",
            "Nov 28 10:00:01 mx1 postfix/smtpd[1]: warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
            "Nov 28 10:00:02 mx1 postfix/smtpd[1]: disconnect from unknown[203.0.113.7] ehlo=1 auth=0/1 commands=1/2",
        ];
        await File.WriteAllLinesAsync(Path.Combine(log, "mail.log"), mail);
        await File.WriteAllLinesAsync(Path.Combine(log, "mail.err"), mail[1..2]);
        await File.WriteAllLinesAsync(Path.Combine(log, "syslog"), [.. mail, "Nov 28 10:00:03 mx1 CRON[9]: (root) CMD (true)"]);
        await File.WriteAllLinesAsync(Path.Combine(log, "auth.log"), ["Nov 28 10:00:04 mx1 sshd[5]: Accepted publickey for admin from 192.0.2.1 port 50000 ssh2"]);
        await File.WriteAllBytesAsync(Path.Combine(log, "wtmp"), [0, 1, 2, 3, 0xff, 0xfe, 10, 7, 0]);

        var summaries = await Runner(store).IngestAsync([log], CancellationToken.None);

        Assert.All(summaries, s => Assert.Null(s.Problem));
        var read = Assert.Single(summaries, s => s.PassedOver is null);
        Assert.Equal(Path.Combine(log, "mail.log"), read.Path);
        Assert.Equal(new FileCounts(3, 0, 0, 0), read.Counts);
        Assert.Equal(
            ["auth.log: not a mail log RelayWatch reads", "mail.err: rsyslog's copy of the err-level mail lines, which repeats lines of the mail.log beside it; name it to read it",
             "syslog: a general system log, which repeats lines of the mail.log beside it; name it to read it", "wtmp: not a mail log RelayWatch reads"],
            summaries.Where(s => s.PassedOver is not null).Select(s => $"{Path.GetFileName(s.Path)}: {s.PassedOver}").Order(StringComparer.Ordinal));
        Assert.Equal("3", await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None));
    }

    [Fact]
    public async Task AFileNamedExplicitlyIsReadEvenWhereAFolderWouldPassItOver()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        await File.WriteAllLinesAsync(Path.Combine(directory, "mail.log"), ["Nov 28 10:00:00 mx1 postfix/smtpd[1]: connect from unknown[203.0.113.7]"]);
        var syslog = Path.Combine(directory, "syslog");
        await File.WriteAllLinesAsync(syslog, ["Nov 28 10:00:00 mx1 postfix/smtpd[2]: connect from unknown[203.0.113.8]"]);

        var summary = Assert.Single(await Runner(store).IngestAsync([syslog], CancellationToken.None));

        Assert.Null(summary.PassedOver);
        Assert.Equal(1, summary.Counts.Events);
    }

    /// <summary>
    /// A console log whose first lines do not say whether 05/11 is 5 November or 11 May is read one way
    /// throughout — <c>--date-order</c> when given, else month-first for slashes — even after a later
    /// line (24/11) shows which it was: a file's dates are never read two ways.
    /// </summary>
    [Theory]
    [InlineData(null, "2026-05-11 08:00:00.000", "")]
    [InlineData(DateOrder.DayMonthYear, "2026-11-05 08:00:00.000", "2026-11-24 08:00:00.000")]
    public async Task AFilesDatesAreReadInOneOrder(DateOrder? order, string first, string last)
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var path = Path.Combine(directory, "domino1", "console.log");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var ambiguous = Enumerable.Range(0, LogFormats.DetectionLines).Select(_ => "05/11/2026 08:00:00   SMTP Server: 192.0.2.10 connected");
        await File.WriteAllLinesAsync(path, ambiguous.Append("24/11/2026 08:00:00   SMTP Server: 192.0.2.11 connected"));
        var runner = new IngestRunner(store, new IngestOptions { DateOrder = order }, TimeProvider.System, NullLogger.Instance);

        var summary = (await runner.IngestAsync([path], CancellationToken.None))[0];
        var stamps = await store.QueryListAsync("SELECT toString(ts) FROM smtp_events ORDER BY line", null, CancellationToken.None);
        var lastLine = stamps[^1][0];

        Assert.Equal("domino", summary.Format);
        Assert.Equal(first, stamps[0][0]);
        // Month-first, 24/11 is no date: unrecognised, counted, not guessed.
        Assert.Equal(last.Length > 0 ? last : first, lastLine);
        Assert.Equal(order is null ? 1 : 0, summary.Counts.Unrecognised);
        Assert.Equal("domino1", await store.QueryScalarAsync("SELECT any(relay) FROM smtp_events", CancellationToken.None));
    }

    private static IngestRunner Runner(IClickHouseStore store, int batchLines = 100_000) =>
        new(store, new IngestOptions { BatchLines = batchLines }, TimeProvider.System, NullLogger.Instance);

    /// <summary>The event count of the same lines ingested in one go into a fresh database.</summary>
    private async Task<string?> CountEventsOfACleanRunAsync(IReadOnlyList<string> lines)
    {
        await using var clean = await TestEngine.OpenKeepingEverythingAsync();
        var path = Path.Combine(directory, "clean-" + Guid.NewGuid().ToString("N") + ".log");
        await File.WriteAllLinesAsync(path, lines);
        await Runner(clean).IngestAsync([path], CancellationToken.None);
        return await clean.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None);
    }
}
