namespace RelayWatch.Cli.Output;

/// <param name="First">Earliest timestamp or day in the table, as ClickHouse prints it; null when empty.</param>
/// <param name="Last">Latest timestamp or day in the table; null when empty.</param>
internal sealed record TableStatus(string Name, long Rows, long BytesOnDisk, string? First, string? Last);
