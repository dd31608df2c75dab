namespace RelayWatch.Store;

/// <param name="Engine">"embedded" (chDB) or "server" (ClickHouse over HTTP).</param>
/// <param name="Location">The data directory, or the server's host and port.</param>
/// <param name="Database">The database holding RelayWatch's tables.</param>
public sealed record StoreInfo(string Engine, string Location, string Database);
