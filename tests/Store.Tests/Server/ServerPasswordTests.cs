using ClickHouse.Driver.ADO;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Server;

/// <summary>A password kept apart from the connection string (read from a file or the environment by the command line) reaches the server, and never a message.</summary>
[Trait("Engine", "Server")]
public sealed class ServerPasswordTests(ServerEngine server) : IClassFixture<ServerEngine>
{
    [Fact]
    public async Task APasswordGivenApartFromTheConnectionStringIsTheOneSent()
    {
        var withoutPassword = new ClickHouseConnectionStringBuilder(server.ConnectionString) { Password = "not-the-password" }.ConnectionString;
        var password = new ClickHouseConnectionStringBuilder(server.ConnectionString).Password;

        await using var store = await ClickHouseStore.OpenAsync(
            new StoreOptions { ConnectionString = withoutPassword, Password = password, Database = TestEngine.UniqueDatabase() }, null, CancellationToken.None);

        Assert.Equal("1", await store.QueryScalarAsync("SELECT 1", CancellationToken.None));
    }

    [Fact]
    public async Task AWrongPasswordGivenApartIsRefusedWithoutBeingShown()
    {
        var options = new StoreOptions { ConnectionString = server.ConnectionString, Password = "a-wrong-password-9f3c", Database = TestEngine.UniqueDatabase() };

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => ClickHouseStore.OpenAsync(options, null, CancellationToken.None));

        Assert.Contains("refused the user name or password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-password-9f3c", error.ToString(), StringComparison.Ordinal);
    }
}
