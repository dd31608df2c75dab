using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Store.Tests.Server;

public sealed class ServerStoreTests
{
    [Fact]
    public async Task AnUnreachableServerIsReportedWithItsHostAndPort()
    {
        var port = UnusedLoopbackPort();
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

    private static int UnusedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
