namespace RelayWatch.Cli.Configuration;

/// <summary>The <c>store</c> section of the configuration file; every setting is optional.</summary>
internal sealed class StoreSection
{
    /// <summary>Embedded data directory.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>ClickHouse server connection string; selects the server engine.</summary>
    public string? ClickHouse { get; set; }

    /// <summary>A file whose first line is the server's password, so the connection string need not hold it.</summary>
    public string? ClickHousePasswordFile { get; set; }

    /// <summary>Database holding RelayWatch's tables.</summary>
    public string? Database { get; set; }

    public int? EventRetentionDays { get; set; }

    public int? FindingRetentionDays { get; set; }

    public int? MaxConnections { get; set; }

    /// <summary>The ClickHouse cluster the schema is laid out on (server engine only); <c>schema</c> prints its form.</summary>
    public string? Cluster { get; set; }
}
