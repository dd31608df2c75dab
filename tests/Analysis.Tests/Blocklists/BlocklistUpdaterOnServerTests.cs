using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Blocklists;

/// <summary>
/// <see cref="BlocklistUpdaterTests"/> on the server engine (ClickHouse.Driver over HTTP): the impact
/// check and the good-sender check match subjects with <c>IN {subjects:Array(String)}</c>, which
/// never matched while the driver bound the array as its characters.
/// </summary>
[Trait("Engine", "Server")]
public sealed class BlocklistUpdaterOnServerTests(ServerEngine server) : BlocklistUpdaterTests, IClassFixture<ServerEngine>
{
    protected override Task<IClickHouseStore> OpenStoreAsync() => server.OpenAsync();
}
