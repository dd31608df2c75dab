using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// Log files are renamed, recreated and truncated under ingest by logrotate, at any moment. A checkpoint
/// belongs to the file whose lines it counts: a rotation between identifying a file and reading it must
/// never resume one file at another's offset, nor store a line twice or lose one. Real renames and
/// truncations on real files; the one seam is a store that lets the test rotate while ingest asks it for
/// the checkpoint, which is exactly the moment between the two.
/// </summary>
public sealed class RotationRaces : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("relaywatch-rotation-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task ARotationWhileTheCheckpointIsLookedUpNeverPutsItOnAnotherFile()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var log = Path.Combine(folder, "mail.log");
        await File.WriteAllLinesAsync(log, Connects(0, 10));
        await Runner(store).IngestAsync([log], CancellationToken.None);
        await File.AppendAllLinesAsync(log, Connects(10, 5));

        // logrotate's create mode: the file is renamed and a new one takes its name.
        var rotating = new StoreThatRotatesOnCheckpointLookup(store, () =>
        {
            File.Move(log, log + ".1");
            File.WriteAllLines(log, Connects(100, 3));
        });
        await Runner(rotating).IngestAsync([log], CancellationToken.None);
        await Runner(store).IngestAsync([folder], CancellationToken.None);

        Assert.True(rotating.Rotated);
        Assert.Equal("18\t18", await RowsAsync(store));
    }

    [Fact]
    public async Task ACopytruncateThatRegrowsPastTheOffsetBeforeThePollIsReadFromItsStart()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var log = Path.Combine(folder, "mail.log");
        await File.WriteAllLinesAsync(log, Connects(0, 10));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        using var stop = new CancellationTokenSource();
        var following = Runner(store, clock).FollowAsync(log, TimeSpan.FromSeconds(1), TimeSpan.Zero, stop.Token);
        Assert.True(await RowsReachAsync(store, clock, 10));

        // copytruncate: the lines so far are copied away, the file emptied in place, and the relay writes on —
        // more than was there before, all before the next poll.
        File.Copy(log, log + ".1");
        await using (var truncate = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        await File.AppendAllLinesAsync(log, Connects(100, 30));
        var reached = await RowsReachAsync(store, clock, 40);
        await stop.CancelAsync();
        await following;

        Assert.True(reached);
        Assert.Equal("40\t40", await RowsAsync(store));
    }

    /// <summary>Postfix connect lines, one client address each, so that a line stored twice shows.</summary>
    private static IEnumerable<string> Connects(int first, int count) =>
        Enumerable.Range(first, count).Select(n => string.Create(CultureInfo.InvariantCulture,
            $"Nov 24 10:{n / 60:D2}:{n % 60:D2} mx1 postfix/smtpd[{2000 + n}]: connect from host{n}.example.net[203.0.{n / 250}.{(n % 250) + 1}]"));

    private static IngestRunner Runner(IClickHouseStore store, TimeProvider? time = null) =>
        new(store, new IngestOptions { Format = LogFormat.Postfix, Year = 2026 }, time ?? TimeProvider.System, NullLogger.Instance);

    /// <summary>Rows stored, and distinct clients among them, tab-separated.</summary>
    private static async Task<string?> RowsAsync(IClickHouseStore store) =>
        await store.QueryScalarAsync("SELECT concat(toString(count()), '\t', toString(uniqExact(client_ip))) FROM smtp_events", CancellationToken.None);

    /// <summary>Lets the follower poll (on the fake clock) until the store holds the rows; false after a generous real-time deadline.</summary>
    private static async Task<bool> RowsReachAsync(IClickHouseStore store, FakeTimeProvider clock, long rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var stored = long.Parse(await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None) ?? "0", CultureInfo.InvariantCulture);
            if (stored >= rows)
            {
                return stored == rows;
            }

            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>The real store, which runs an action (a rotation) the first time ingest looks up a file's checkpoint.</summary>
    private sealed class StoreThatRotatesOnCheckpointLookup(IClickHouseStore store, Action rotate) : IClickHouseStore
    {
        public bool Rotated { get; private set; }

        public StoreInfo Info => store.Info;

        public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
            store.ExecuteAsync(sql, parameters, cancellationToken);

        public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
        {
            if (!Rotated && sql.Contains("FROM ingest_checkpoints WHERE file_key", StringComparison.Ordinal))
            {
                Rotated = true;
                rotate();
            }

            return store.QueryAsync(sql, format, output, parameters, cancellationToken);
        }

        public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
            store.QueryAsync(sql, format, output, parameters, settings, cancellationToken);

        public Task<long> InsertAsync(BulkInsert insert, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken) =>
            store.InsertAsync(insert, writeRows, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
