using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary><see cref="EximDetectionTests"/> on the server engine: ingest, estate inference (internal networks as an <c>Array(String)</c> parameter) and detection over HTTP.</summary>
[Trait("Engine", "Server")]
public sealed class EximDetectionOnServerTests(ServerEngine server) : EximDetectionTests, IClassFixture<ServerEngine>
{
    protected override Task<IClickHouseStore> OpenStoreAsync() => server.OpenAsync();
}
