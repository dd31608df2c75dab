using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Embedded;

public sealed class EmbeddedStoreTests : ClickHouseStoreContract
{
    protected override Task<IClickHouseStore> OpenAsync() => TestEngine.OpenAsync();

    [Fact]
    public async Task TheEmbeddedEngineIsClickHouse26Point7()
    {
        await using var store = await TestEngine.OpenAsync();

        var version = await store.QueryScalarAsync("SELECT version()", CancellationToken.None);

        Assert.StartsWith("26.7.", version, StringComparison.Ordinal);
        Assert.Equal("embedded", store.Info.Engine);
    }

    [Fact]
    public async Task AStoreOnAnotherDataDirectoryInTheSameProcessIsRefused()
    {
        await using var store = await TestEngine.OpenAsync();
        var other = TestEngine.Options();
        other.DataDirectory = Path.Combine(Path.GetTempPath(), "relaywatch-other-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => ClickHouseStore.OpenAsync(other, null, CancellationToken.None));

        Assert.Equal(
            $"This process already has the embedded engine open on {TestEngine.DataDirectory}; one process can use only one data directory at a time.",
            error.Message);
    }
}
