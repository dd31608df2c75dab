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
}
