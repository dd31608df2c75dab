using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Server;

[Trait("Engine", "Server")]
public sealed class ServerQueryParameterTests(ServerEngine server) : QueryParameterContract, IClassFixture<ServerEngine>
{
    protected override Task<IClickHouseStore> OpenAsync() => server.OpenAsync();
}
