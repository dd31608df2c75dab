namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// Shared by the test projects that need the embedded engine (linked into each).
/// The embedded engine is process-global, so every test in this process shares one data directory
/// and isolates itself with a database of its own.
/// </summary>
internal static class TestEngine
{
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
        await ClickHouseStore.OpenAsync(Options(database), null, CancellationToken.None);

    /// <summary>A store that keeps events of any age (the real logs of the corpora are years old).</summary>
    public static async Task<IClickHouseStore> OpenKeepingEverythingAsync()
    {
        var options = Options();
        options.EventRetentionDays = 20_000;
        return await ClickHouseStore.OpenAsync(options, null, CancellationToken.None);
    }

    public static async Task<IClickHouseStore> OpenWithoutMigratingAsync(string? database = null) =>
        await ClickHouseStore.OpenWithoutMigratingAsync(Options(database), null, CancellationToken.None);
}
