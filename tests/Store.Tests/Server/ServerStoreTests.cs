using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Store.Tests.Server;

/// <summary>How the server engine meets a real server's refusals: Debian's clickhouse-server 18.16, too old to run our SQL.</summary>
[Trait("Engine", "Server")]
public sealed class ServerStoreTests(ServerStoreTests.RealServer server) : IClassFixture<ServerStoreTests.RealServer>
{
    [Fact]
    public async Task AWrongPasswordIsReportedWithTheServersHostAndPort()
    {
        var options = new StoreOptions { ConnectionString = server.Running.ConnectionString("wrong-secret") };

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => ClickHouseStore.OpenAsync(options, null, CancellationToken.None));

        Assert.Equal(
            $"The ClickHouse server at 127.0.0.1:{server.Running.HttpPort} refused the user name or password; check Username and Password in the connection string.",
            error.Message);
    }

    [Fact]
    public async Task AServerTooOldForTheDriverIsReportedAsSuch()
    {
        var options = new StoreOptions { ConnectionString = server.Running.ConnectionString(DebianClickHouseServer.Password) };

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => ClickHouseStore.OpenAsync(options, null, CancellationToken.None));

        Assert.StartsWith($"The ClickHouse server at 127.0.0.1:{server.Running.HttpPort} is too old for RelayWatch (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); use a ClickHouse release that still receives security updates.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableServerIsReportedWithItsHostAndPort()
    {
        var port = Loopback.FreePort();
        var options = new StoreOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Username=default;Password=" };

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => ClickHouseStore.OpenAsync(options, null, CancellationToken.None));

        Assert.StartsWith($"The ClickHouse server at 127.0.0.1:{port} cannot be reached (Connection refused", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); check Host and Port in the connection string and that the server is running.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidDatabaseNameIsRefusedBeforeAnythingOpens()
    {
        var options = new StoreOptions { Database = "bad-name; DROP" };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("The database name 'bad-name; DROP' is not valid: use letters, digits and underscores, starting with a letter or underscore.", error.Message);
    }

    /// <summary>Debian's clickhouse-server, started once for the tests of this class.</summary>
    public sealed class RealServer : IAsyncLifetime
    {
        private DebianClickHouseServer? running;

        public DebianClickHouseServer Running => running ?? throw new InvalidOperationException("The server has not started.");

        public async Task InitializeAsync() => running = await DebianClickHouseServer.StartAsync();

        public async Task DisposeAsync()
        {
            if (running is not null)
            {
                await running.DisposeAsync();
            }
        }
    }
}
