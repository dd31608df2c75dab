namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// Shared by the test projects that need a store (linked into each).
/// The embedded engine is process-global, so every test in this process shares one data directory
/// and isolates itself with a database of its own. With <c>RELAYWATCH_TEST_ENGINE=server</c> the stores
/// opened here are the server engine's instead (<see cref="ServerEngine"/>: the server named by
/// <c>RELAYWATCH_TEST_CLICKHOUSE</c>, else ClickHouse's HTTP interface in front of the embedded engine),
/// so a whole suite runs unchanged on the server path (Ingest, Analysis and Reports passed so on 2026-12-02).
/// </summary>
internal static class TestEngine
{
    public const string EngineVariable = "RELAYWATCH_TEST_ENGINE";

    private static readonly Lazy<Task<ServerEngine>> Server = new(async () =>
    {
        var server = new ServerEngine();
        await server.InitializeAsync();
        return server;
    });

    /// <summary>Whether this run's stores are the server engine's.</summary>
    public static bool OnServer => string.Equals(Environment.GetEnvironmentVariable(EngineVariable), "server", StringComparison.OrdinalIgnoreCase);

    private static readonly Lazy<string> Directory = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), "relaywatch-store-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }

        System.IO.Directory.CreateDirectory(path);
        return path;
    });

    public static string DataDirectory => Directory.Value;

    /// <summary>Options for a fresh database in the shared engine.</summary>
    public static StoreOptions Options(string? database = null) => new()
    {
        DataDirectory = DataDirectory,
        ConnectionString = null,
        Database = database ?? UniqueDatabase(),
    };

    public static string UniqueDatabase() => "test_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<IClickHouseStore> OpenAsync(string? database = null) =>
        await ClickHouseStore.OpenAsync(await EngineOptionsAsync(database), null, CancellationToken.None);

    /// <summary>A store that keeps events of any age (the real logs of the corpora are years old).</summary>
    public static async Task<IClickHouseStore> OpenKeepingEverythingAsync()
    {
        var options = await EngineOptionsAsync(null);
        options.EventRetentionDays = 20_000;
        return await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
    }

    public static async Task<IClickHouseStore> OpenWithoutMigratingAsync(string? database = null) =>
        await ClickHouseStore.OpenWithoutMigratingAsync(await EngineOptionsAsync(database), null, CancellationToken.None);

    /// <summary>Options for a fresh database of this run's engine.</summary>
    private static async Task<StoreOptions> EngineOptionsAsync(string? database) =>
        OnServer
            ? new StoreOptions { ConnectionString = (await Server.Value).ConnectionString, Database = database ?? UniqueDatabase() }
            : Options(database);
}
