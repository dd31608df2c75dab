using Microsoft.Extensions.Logging;

namespace RelayWatch.Store;

/// <summary>Every log message of the Store project, with stable event ids (1000–1999).</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Fetching the embedded ClickHouse engine {Package} into {Directory} (about 180 MB, once)")]
    public static partial void FetchingEngine(ILogger logger, string package, string directory);

    [LoggerMessage(1002, LogLevel.Information, "Fetched and verified {Package} in {Seconds:F1} s")]
    public static partial void FetchedEngine(ILogger logger, string package, double seconds);

    [LoggerMessage(1004, LogLevel.Warning, "The cached engine library {Path} failed its check (SHA-256 {Sha256}), so it was removed and is fetched again")]
    public static partial void CachedEngineFailedCheck(ILogger logger, string path, string sha256);

    [LoggerMessage(1003, LogLevel.Information, "Waiting for another process that is fetching the engine (lock {LockPath})")]
    public static partial void WaitingForEngineFetch(ILogger logger, string lockPath);

    [LoggerMessage(1010, LogLevel.Debug, "Embedded engine {Version} opened at {DataDirectory}")]
    public static partial void EngineOpened(ILogger logger, string version, string dataDirectory);

    [LoggerMessage(1020, LogLevel.Information, "Applied schema migration {Version} {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(1023, LogLevel.Debug, "Applied schema migration {Version} {Name} to a new store")]
    public static partial void MigrationAppliedToNewStore(ILogger logger, int version, string name);

    [LoggerMessage(1021, LogLevel.Information, "Changed the retention of {Table} to {Days} days")]
    public static partial void RetentionChanged(ILogger logger, string table, int days);

    [LoggerMessage(1022, LogLevel.Debug, "Set the retention of {Table} to {Days} days")]
    public static partial void RetentionSet(ILogger logger, string table, int days);
}
