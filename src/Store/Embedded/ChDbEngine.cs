using Microsoft.Extensions.Logging;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// The embedded ClickHouse engine of this process. chDB is process-global: the library loads once,
/// and every connection must use the same data directory until all are closed. Stores share the
/// engine by reference count; the last one to leave closes the data directory lock.
/// </summary>
internal sealed class ChDbEngine
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ChDbApi? api;
    private static ChDbEngine? current;

    private readonly DataDirectoryLock directoryLock;
    private int references;

    private ChDbEngine(ChDbApi api, string dataDirectory, DataDirectoryLock directoryLock)
    {
        Api = api;
        DataDirectory = dataDirectory;
        this.directoryLock = directoryLock;
        Version = api.EngineVersion();
    }

    public ChDbApi Api { get; }

    public string DataDirectory { get; }

    public string Version { get; }

    /// <summary>Opens (or joins) the engine on <paramref name="dataDirectory"/>.</summary>
    /// <param name="trustLibrary">Load a library named by <c>RELAYWATCH_CHDB_LIB</c> without checking its SHA-256 (<c>--trust-library</c>).</param>
    public static async Task<ChDbEngine> AcquireAsync(string dataDirectory, bool trustLibrary, ILogger logger, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(dataDirectory);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is not null)
            {
                if (!string.Equals(current.DataDirectory, fullPath, StringComparison.Ordinal))
                {
                    throw new StoreUnavailableException(
                        $"This process already has the embedded engine open on {current.DataDirectory}; one process can use only one data directory at a time.");
                }

                current.references++;
                return current;
            }

            api ??= await LoadApiAsync(trustLibrary, logger, cancellationToken).ConfigureAwait(false);
            var directoryLock = DataDirectoryLock.Acquire(fullPath);
            var engine = new ChDbEngine(api, fullPath, directoryLock) { references = 1 };
            try
            {
                // Boot the engine once now so that a broken directory fails here, with its reason.
                engine.CloseConnection(engine.OpenConnection());
            }
            catch
            {
                directoryLock.Dispose();
                throw;
            }

            Log.EngineOpened(logger, engine.Version, fullPath);
            current = engine;
            return engine;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Drops one reference; the last releases the data directory for other processes.</summary>
    public void Release()
    {
        Gate.Wait();
        try
        {
            if (--references == 0)
            {
                directoryLock.Dispose();
                current = null;
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Opens a connection (<c>chdb_connection*</c>). Each connection runs one statement at a time and
    /// keeps its own session (current database, settings); the caller pools them.
    /// </summary>
    public nint OpenConnection()
    {
        var connection = Api.Connect(["relaywatch", $"--path={DataDirectory}"]);
        if (connection == 0)
        {
            throw new StoreUnavailableException(
                $"The embedded engine could not open the data directory {DataDirectory}; check that it is a RelayWatch data directory, that it is writable, and that the disk is not full.");
        }

        return connection;
    }

    public void CloseConnection(nint connection) => Api.Close(connection);

    private static async Task<ChDbApi> LoadApiAsync(bool trustLibrary, ILogger logger, CancellationToken cancellationToken)
    {
        var locator = new ChDbLibrary(ChDbPackage.Pinned, ChDbLibrary.DefaultCacheDirectory(), logger);
        using var library = await locator.LocateAsync(Environment.GetEnvironmentVariable(ChDbLibrary.LibraryPathVariable), trustLibrary, cancellationToken).ConfigureAwait(false);
        var loaded = ChDbApi.Load(library.LoadPath, library.Path);
        StandardInput.DetachFromEngine();

        loaded.DisableSignalHandlers();
        return loaded;
    }
}
