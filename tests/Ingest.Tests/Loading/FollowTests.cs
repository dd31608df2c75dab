using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Loading;

public sealed class FollowTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-follow-test-").FullName;
    private readonly List<string> corpus = Corpora.Lines("pixelpark-postfix-logsums/mail.log").Take(6000).ToList();

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [CorpusFact]
    public async Task FollowingAFileThroughGrowthRotationAndTruncationStoresEveryLineOnce()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var path = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(path, corpus[..1000]);
        using var stop = new CancellationTokenSource();
        // The follower claims the file in a folder of its own: its claim is host-wide by the file's first bytes, and
        // this corpus's are the same as those other tests read at the same time, which would pass the file over.
        var options = new IngestOptions { Format = LogFormat.Postfix, Year = 2023, ClaimFolder = Path.Combine(directory, "claims") };
        var runner = new IngestRunner(store, options, TimeProvider.System, NullLogger.Instance);
        var following = runner.FollowAsync(path, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), stop.Token);
        var expected = 0L;

        // What is there already.
        expected += Events(corpus[..1000]);
        await WaitForRowsAsync(store, expected);

        // Growth, with a write that stops mid-line: the half line waits for the rest.
        var more = string.Join('\n', corpus[1000..1500]) + "\n";
        await File.AppendAllTextAsync(path, more[..(more.Length / 2)]);
        await Task.Delay(300);
        await File.AppendAllTextAsync(path, more[(more.Length / 2)..]);
        expected += Events(corpus[1000..1500]);
        await WaitForRowsAsync(store, expected);

        // Rotation: late lines reach the old file, then a new file takes the path.
        File.Move(path, Path.Combine(directory, "mail.log.1"));
        await File.AppendAllLinesAsync(Path.Combine(directory, "mail.log.1"), corpus[1500..1600]);
        await File.WriteAllLinesAsync(path, corpus[2000..3000]);
        expected += Events(corpus[1500..1600]) + Events(corpus[2000..3000]);
        await WaitForRowsAsync(store, expected);

        // Truncation in place (copytruncate), then new lines.
        await using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        await File.AppendAllLinesAsync(path, corpus[4000..4400]);
        expected += Events(corpus[4000..4400]);
        await WaitForRowsAsync(store, expected);

        await stop.CancelAsync();
        var summaries = await following;

        Assert.Equal(expected, long.Parse((await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None))!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1000 + 500 + 100 + 1000 + 400, summaries.Sum(s => s.Counts.Lines));
        Assert.Equal(
            await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None),
            await store.QueryScalarAsync("SELECT uniqExact(file, line, ts, event, client_ip, rcpt_to) FROM smtp_events", CancellationToken.None));
    }

    /// <summary>How many events the lines hold, by the parser alone.</summary>
    private static long Events(IEnumerable<string> lines)
    {
        var parser = new PostfixParser();
        var origin = new LineOrigin("count", null, TimestampContext.Utc(2023));
        return lines.Select((line, i) => parser.Parse(line, origin, i + 1)).LongCount(r => r.Outcome == LineOutcome.Event);
    }

    /// <summary>Waits until the store holds <paramref name="rows"/> events; fails after a generous deadline.</summary>
    private static async Task WaitForRowsAsync(IClickHouseStore store, long rows)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        long stored;
        while ((stored = long.Parse((await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None))!, System.Globalization.CultureInfo.InvariantCulture)) < rows
            && waited.Elapsed < Deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(rows, stored);
    }
}
