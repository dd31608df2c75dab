using RelayWatch.Store.Schema;

namespace RelayWatch.Store;

/// <summary>
/// Where the store lives and how long it keeps data. The only mutable type in this project;
/// validated by <see cref="Validate"/> before a store opens.
/// </summary>
public sealed class StoreOptions
{
    /// <summary>
    /// The embedded engine's data directory. Default: <c>$XDG_DATA_HOME/relaywatch</c>, else
    /// <c>~/.local/share/relaywatch</c> (the command line lets <c>$RELAYWATCH_DATA</c> override it).
    /// Ignored when <see cref="ConnectionString"/> is set.
    /// </summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>
    /// A ClickHouse server connection string (<c>Host=…;Port=8123;Username=…;Password=…;Database=…</c>).
    /// When set, the server engine is used instead of the embedded one. Default: none.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The database holding RelayWatch's tables. Default <c>relaywatch</c>.</summary>
    public string Database { get; set; } = "relaywatch";

    /// <summary>Days of <c>smtp_events</c> kept before ClickHouse's TTL drops them. Default 400 (13 months, for year-on-year trends).</summary>
    public int EventRetentionDays { get; set; } = 400;

    /// <summary>Days of <c>findings</c> and <c>ip_scores</c> kept. Default 1100 (three years of analyst history).</summary>
    public int FindingRetentionDays { get; set; } = 1100;

    /// <summary>Largest number of embedded-engine connections used at once. Default: twice the processor count, at least 4.</summary>
    public int MaxConnections { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>
    /// The server password, when it is not written in <see cref="ConnectionString"/> (read from a file or the
    /// environment, so it never sits on a command line). Never shown by status or logs. Default: none.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>Load a <c>libchdb.so</c> named by <c>RELAYWATCH_CHDB_LIB</c> without checking its SHA-256 against the pinned one. Default false.</summary>
    public bool TrustEngineLibrary { get; set; }

    /// <summary>
    /// The ClickHouse cluster (a name of the servers' <c>remote_servers</c>) the schema is laid out on: the
    /// migrations then create ReplicatedMergeTree <c>t_local</c> tables and Distributed tables over them,
    /// every statement <c>ON CLUSTER</c> (docs/operations.md, "Cluster layout"). Needs the server engine.
    /// Default: none (single node).
    /// </summary>
    public string? Cluster { get; set; }

    public bool UsesServer => ConnectionString is not null;

    /// <summary>Throws <see cref="ArgumentException"/> with a one-sentence reason when a setting is out of range.</summary>
    public void Validate()
    {
        if (!UsesServer && string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("The data directory must not be empty.");
        }

        if (!DatabaseName.IsValid(Database))
        {
            throw new ArgumentException($"The database name '{Database}' is not valid: use letters, digits and underscores, starting with a letter or underscore.");
        }

        if (Cluster is not null && !UsesServer)
        {
            throw new ArgumentException($"The cluster '{Cluster}' needs a ClickHouse server (store.clickHouse): the embedded engine runs on one machine and has no cluster.");
        }

        if (Cluster is not null && !ClusterLayout.IsPlainName(Cluster))
        {
            throw new ArgumentException($"The cluster name '{Cluster}' is not a plain name (letters, digits and _, not starting with a digit).");
        }

        if (EventRetentionDays < 1 || FindingRetentionDays < 1)
        {
            throw new ArgumentException("Retention periods must be at least one day.");
        }

        if (MaxConnections < 1)
        {
            throw new ArgumentException("MaxConnections must be at least 1.");
        }
    }

    public static string DefaultDataDirectory()
    {
        var dataHome = NullIfEmpty(Environment.GetEnvironmentVariable("XDG_DATA_HOME"))
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "relaywatch");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
