using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// A file truncated in place (copytruncate) and written again from the very line it began with before: its key (the
/// fingerprint of that line) is the same, but its content is new and must land whole, once.
/// </summary>
public sealed class CopyTruncateTests : IDisposable
{
    /// <summary>The line both contents begin with.</summary>
    private const string FirstLine = "Dec  1 09:59:59 mx1 postfix/smtpd[4100]: connect from unknown[192.0.2.1]";

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-copytruncate-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task NewContentUnderTheOldFirstLineLandsWholeOnceAndIsResumedFromItsOwnCheckpoint()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var path = Path.Combine(directory, "mail.log");
        var old = Lines(hour: 10, count: 60);
        var renewed = Lines(hour: 11, count: 60);
        await File.WriteAllLinesAsync(path, [FirstLine, .. old]);
        await IngestAsync(store, path);

        await using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        await File.WriteAllLinesAsync(path, [FirstLine, .. renewed[..30]]);
        var afterTruncation = await IngestAsync(store, path);
        await File.AppendAllLinesAsync(path, renewed[30..]);
        var afterGrowth = await IngestAsync(store, path);
        var again = await IngestAsync(store, path);

        Assert.Equal(31, afterTruncation.Counts.Lines);
        Assert.Equal(30, afterGrowth.Counts.Lines);
        Assert.Equal(0, again.Counts.Lines);
        // The first line once per content, then each content's own lines, each once.
        Assert.Equal("9\t2\n10\t60\n11\t60\n", await RowsByHourAsync(store));
    }

    /// <summary>Lines of the same lengths in every hour, so two contents' batches cover the same byte ranges.</summary>
    private static string[] Lines(int hour, int count) =>
        [.. Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"Dec  1 {hour}:{i / 60:00}:{i % 60:00} mx1 postfix/smtpd[4101]: connect from unknown[192.0.2.{10 + i}]"))];

    private static async Task<string> RowsByHourAsync(IClickHouseStore store) =>
        string.Concat((await store.QueryListAsync("SELECT toHour(ts), count() FROM smtp_events GROUP BY 1 ORDER BY 1", null, CancellationToken.None))
            .Select(r => $"{r[0]}\t{r[1]}\n"));

    private static async Task<FileSummary> IngestAsync(IClickHouseStore store, string path) =>
        (await new IngestRunner(store, new IngestOptions { Format = LogFormat.Postfix, Year = 2026, BatchLines = 20 }, TimeProvider.System, NullLogger.Instance)
            .IngestAsync([path], CancellationToken.None))[0];
}
