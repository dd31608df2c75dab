namespace RelayWatch.Store;

/// <param name="Engine">"embedded" (chDB) or "server" (ClickHouse over HTTP).</param>
/// <param name="Location">The data directory, or the server's host and port.</param>
/// <param name="Database">The database holding RelayWatch's tables.</param>
public sealed record StoreInfo(string Engine, string Location, string Database)
{
    /// <summary>The cluster the tables are laid out on (<see cref="StoreOptions.Cluster"/>); null on a single node.</summary>
    public string? Cluster { get; init; }
}
