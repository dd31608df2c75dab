using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Embedded;

/// <summary>An insert cancelled at any point commits nothing, frees its native insert stream, and leaves its connection fit for the next statement.</summary>
public sealed class CancelledInsertTests
{
    [Fact]
    public async Task AnInsertCancelledAfterItsLastRowCommitsNothingAndTheConnectionServesTheNextStatement()
    {
        var options = TestEngine.Options();
        options.MaxConnections = 1;
        await using var store = await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
        await store.ExecuteAsync("CREATE TABLE numbers_seen (n UInt64) ENGINE = MergeTree ORDER BY n", null, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var insert = store.InsertAsync(new BulkInsert("numbers_seen", ["n"], "TabSeparated"), async (stream, _) =>
        {
            await stream.WriteAsync("1\n2\n3\n"u8.ToArray(), CancellationToken.None);
            await cancellation.CancelAsync();
        }, cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => insert);
        // One connection only: the statements below run on the one the cancelled insert used.
        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM numbers_seen", CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1)));
        await store.InsertAsync(new BulkInsert("numbers_seen", ["n"], "TabSeparated"), (stream, token) => stream.WriteAsync("4\n"u8.ToArray(), token).AsTask(), CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("1", await store.QueryScalarAsync("SELECT count() FROM numbers_seen", CancellationToken.None));
    }
}
