using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Schema;

/// <summary><see cref="StoreOptions.Cluster"/> (the configuration's <c>store.cluster</c>): refused off a server, the cluster form on one.</summary>
public sealed class ClusterMigrationTests
{
    [Fact]
    public async Task AClusterOnTheEmbeddedEngineIsRefusedInOneSentenceBeforeAnythingOpens()
    {
        var options = TestEngine.Options();
        options.Cluster = "main";

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ClickHouseStore.OpenAsync(options, null, CancellationToken.None));

        Assert.Equal("The cluster 'main' needs a ClickHouse server (store.clickHouse): the embedded engine runs on one machine and has no cluster.", error.Message);
    }

    [Theory]
    [InlineData("1main")]
    [InlineData("main ON CLUSTER other")]
    public void AClusterNameThatIsNotPlainIsRefused(string name)
    {
        var options = new StoreOptions { ConnectionString = "Host=127.0.0.1;Port=8123", Cluster = name };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal($"The cluster name '{name}' is not a plain name (letters, digits and _, not starting with a digit).", error.Message);
    }

    [Fact]
    public void WithoutAClusterTheOptionsStaySingleNode()
    {
        var options = new StoreOptions { ConnectionString = "Host=127.0.0.1;Port=8123" };

        options.Validate();

        Assert.Null(options.Cluster);
    }
}
