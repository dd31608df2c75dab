using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Server;

/// <summary>The store contract on the server engine: ClickHouse.Driver over HTTP (see <see cref="ServerEngine"/>).</summary>
[Trait("Engine", "Server")]
public sealed class ServerStoreOverHttpTests(ServerEngine server) : ClickHouseStoreContract, IClassFixture<ServerEngine>
{
    protected override Task<IClickHouseStore> OpenAsync() => server.OpenAsync();
}
