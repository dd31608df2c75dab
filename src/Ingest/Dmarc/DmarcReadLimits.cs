namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// Bounds on what a report file may make us read: reports arrive from anyone who can send mail, so a zip bomb or an
/// endless XML must be refused, not followed. The defaults fit the largest real reports by far (parsedmarc's 900 KB
/// sample, the big receivers' daily reports of a few MB).
/// </summary>
public sealed class DmarcReadLimits
{
    /// <summary>Largest file, or mail message, read at all: 64 MiB.</summary>
    public long MaxFileBytes { get; init; } = 64L << 20;

    /// <summary>Largest report XML once uncompressed (per gzip stream or zip entry): 64 MiB.</summary>
    public long MaxReportBytes { get; init; } = 64L << 20;

    /// <summary>Most entries in one zip archive (reports carry one): 32.</summary>
    public int MaxZipEntries { get; init; } = 32;

    /// <summary>Most records in one report: 1,000,000.</summary>
    public int MaxRecords { get; init; } = 1_000_000;
}
