using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Store.Schema;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Server;

/// <summary>
/// The migrator with <see cref="StoreOptions.Cluster"/> on the server engine. The HTTP fixture's engine has no
/// cluster (no <c>remote_servers</c>, no Keeper), so the cluster form's first statement is refused by ClickHouse
/// itself, which proves that the migrator sent the <c>ON CLUSTER</c> form and not the single-node one.
/// </summary>
[Trait("Engine", "Server")]
public sealed class ServerClusterMigrationTests(ServerEngine server) : IClassFixture<ServerEngine>
{
    [Fact]
    public async Task TheMigratorSendsTheClusterFormAndCreatesNoSingleNodeTable()
    {
        var options = new StoreOptions { ConnectionString = server.ConnectionString, Database = TestEngine.UniqueDatabase(), Cluster = "relaywatch_no_such_cluster" };
        await using var store = await ClickHouseStore.OpenWithoutMigratingAsync(options, null, CancellationToken.None);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => new SchemaMigrator(store, options, NullLogger.Instance).MigrateAsync(CancellationToken.None));

        // CLUSTER_DOESNT_EXIST: ClickHouse read ON CLUSTER relaywatch_no_such_cluster (the message ends with the server's version).
        Assert.StartsWith("Code: 701. DB::Exception: Requested cluster 'relaywatch_no_such_cluster' not found", error.Message, StringComparison.Ordinal);
        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM system.tables WHERE database = currentDatabase()", CancellationToken.None));
    }

    [Theory]
    [InlineData("relaywatch_no_such_cluster", "true")]
    [InlineData(null, "false")]
    public async Task OnAClusterAnInsertWaitsForTheShards(string? cluster, string foreground)
    {
        // The column's default is evaluated in the insert's own settings: it records what ClickHouse received.
        var options = new StoreOptions { ConnectionString = server.ConnectionString, Database = TestEngine.UniqueDatabase(), Cluster = cluster };
        await using var store = await ClickHouseStore.OpenWithoutMigratingAsync(options, null, CancellationToken.None);
        await store.ExecuteAsync(
            "CREATE TABLE received (x UInt8, foreground String DEFAULT toString(getSetting('distributed_foreground_insert'))) ENGINE = MergeTree ORDER BY x",
            CancellationToken.None);

        var insert = new BulkInsert("received", ["x"]) { Settings = new Dictionary<string, string> { ["insert_deduplication_token"] = "batch-1" } };
        await store.InsertAsync(insert, (body, token) => body.WriteAsync(new byte[] { 7 }, token).AsTask(), CancellationToken.None);

        Assert.Equal($"7 {foreground}", await store.QueryScalarAsync("SELECT concat(toString(x), ' ', foreground) FROM received", CancellationToken.None));
    }

    [Fact]
    public async Task ADeleteOnAClusterGoesToTheShardsLocalTablesOnCluster()
    {
        // A Distributed table refuses DELETE: the day's findings are replaced in findings_local, ON CLUSTER. Here the
        // table is a plain one and the fixture has no cluster, so ClickHouse's refusal shows where the delete went.
        var options = new StoreOptions { ConnectionString = server.ConnectionString, Database = TestEngine.UniqueDatabase(), Cluster = "relaywatch_no_such_cluster" };
        await using var store = await ClickHouseStore.OpenWithoutMigratingAsync(options, null, CancellationToken.None);
        await store.ExecuteAsync("CREATE TABLE replaced (day Date, run String) ENGINE = MergeTree ORDER BY day", CancellationToken.None);
        await store.ExecuteAsync("INSERT INTO replaced VALUES ('2026-11-24', 'a')", CancellationToken.None);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.DeleteWhereAsync(
            "replaced", "day = {day:Date}", new Dictionary<string, string> { ["day"] = "2026-11-24" }, CancellationToken.None));

        Assert.Equal("relaywatch_no_such_cluster", store.Info.Cluster);
        Assert.StartsWith($"Code: 60. DB::Exception: Table {options.Database}.replaced_local does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", await store.QueryScalarAsync("SELECT count() FROM replaced", CancellationToken.None));

        // With the shards' table there, ClickHouse takes the delete as distributed DDL, which this engine has not configured.
        await store.ExecuteAsync("CREATE TABLE replaced_local AS replaced", CancellationToken.None);
        var again = await Assert.ThrowsAnyAsync<Exception>(() => store.DeleteWhereAsync(
            "replaced", "day = {day:Date}", new Dictionary<string, string> { ["day"] = "2026-11-24" }, CancellationToken.None));
        Assert.Equal("Code: 392. DB::Exception: Replicated DDL queries are disabled. (QUERY_IS_PROHIBITED)", again.Message);
    }
}
