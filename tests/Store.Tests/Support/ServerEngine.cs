namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// The server engine for the tests marked <c>Engine=Server</c>: the ClickHouse server named by
/// <c>RELAYWATCH_TEST_CLICKHOUSE</c> (a connection string) when it is set, else
/// <see cref="ClickHouseHttpFixture"/> (ClickHouse's HTTP interface in front of the embedded engine).
/// </summary>
public sealed class ServerEngine : IAsyncLifetime
{
    public const string Variable = "RELAYWATCH_TEST_CLICKHOUSE";

    private string? connectionString;

    /// <summary>The fixture, when no real server was named.</summary>
    public ClickHouseHttpFixture? Fixture { get; private set; }

    public string ConnectionString => connectionString ?? throw new InvalidOperationException("The server engine has not started.");

    public async Task InitializeAsync()
    {
        var real = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(real))
        {
            connectionString = real;
            return;
        }

        Fixture = new ClickHouseHttpFixture();
        await Fixture.InitializeAsync();
        connectionString = Fixture.ConnectionString();
    }

    public async Task DisposeAsync()
    {
        if (Fixture is not null)
        {
            await Fixture.DisposeAsync();
        }
    }

    /// <summary>A store on a fresh database of the server, schema migrated.</summary>
    public async Task<IClickHouseStore> OpenAsync() =>
        await ClickHouseStore.OpenAsync(new StoreOptions { ConnectionString = ConnectionString, Database = TestEngine.UniqueDatabase() }, null, CancellationToken.None);
}
