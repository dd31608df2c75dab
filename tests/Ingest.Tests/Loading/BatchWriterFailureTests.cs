using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// An insert refused outright (not a store out of reach, which is retried) while a later batch is in flight
/// and has landed: the run fails with the store's error, commits no checkpoint past the failed batch, and
/// leaves one from which the next run stores exactly what a clean run stores.
/// </summary>
public sealed class BatchWriterFailureTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-failure-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task AnEarlierInsertRefusedAfterALaterOneLandedIsSentAgainByTheNextRun()
    {
        var log = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(log, BatchWriterCrashTests.Lines(5000));
        await using var clean = await TestEngine.OpenKeepingEverythingAsync();
        await Runner(clean, seams: null).IngestAsync([log], CancellationToken.None);
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var refusing = new StoreRefusingOneInsert(store);
        var fourthLanded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seams = new BatchWriterSeams
        {
            // A first run's batch i has version 2i: the third waits for the fourth to land, then is refused.
            BeforeRows = checkpoint =>
            {
                if (checkpoint.Version == 6)
                {
                    refusing.Refuse(checkpoint.Token);
                    return fourthLanded.Task;
                }

                return Task.CompletedTask;
            },
            AfterRows = checkpoint =>
            {
                if (checkpoint.Version == 8)
                {
                    fourthLanded.SetResult();
                }
            },
        };

        var failure = await Assert.ThrowsAsync<ClickHouseException>(() => Runner(refusing, seams).IngestAsync([log], CancellationToken.None));
        var left = await new CheckpointStore(store, TimeProvider.System).ReadAsync(refusing.FileKey!, CancellationToken.None);
        var landedBefore = await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None);
        await Runner(store, seams: null).IngestAsync([log], CancellationToken.None);

        Assert.Equal("refused by the test", failure.Message);
        Assert.NotNull(left);
        Assert.True(left.IsPending);
        Assert.Equal(2, left.ResendCuts.Count);
        Assert.Equal((1000, 1000L), (left.Counts.Lines, left.BatchStartLine));
        Assert.Equal("1485", landedBefore); // batches 1, 2 and 4, of 495 events each

        Assert.Equal(await HoldingsAsync(clean), await HoldingsAsync(store));
    }

    private static IngestRunner Runner(IClickHouseStore store, BatchWriterSeams? seams) =>
        new(store, new IngestOptions { Format = LogFormat.Postfix, Year = 2026, BatchLines = 500, InsertsInFlight = 2 }, TimeProvider.System, NullLogger.Instance) { Seams = seams };

    private static async Task<string> HoldingsAsync(IClickHouseStore store) =>
        string.Join('\t', (await store.QueryListAsync(CrashHost.Holdings, null, CancellationToken.None))[0]);

    /// <summary>The real store, which refuses the one insert of <c>smtp_events</c> that carries a given token.</summary>
    private sealed class StoreRefusingOneInsert(IClickHouseStore store) : IClickHouseStore
    {
        private volatile string? refused;

        public string? FileKey { get; private set; }

        public StoreInfo Info => store.Info;

        public void Refuse(string token)
        {
            refused = token;
            FileKey = token[..token.IndexOf(':', StringComparison.Ordinal)];
        }

        public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
            store.ExecuteAsync(sql, parameters, cancellationToken);

        public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken) =>
            store.QueryAsync(sql, format, output, parameters, cancellationToken);

        public Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
            store.QueryAsync(sql, format, output, parameters, settings, cancellationToken);

        public Task<long> InsertAsync(BulkInsert insert, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken) =>
            insert.Settings.TryGetValue("insert_deduplication_token", out var token) && token == refused
                ? throw new ClickHouseException(252, "TOO_MANY_PARTS", "refused by the test")
                : store.InsertAsync(insert, writeRows, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
