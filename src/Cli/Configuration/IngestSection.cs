namespace RelayWatch.Cli.Configuration;

/// <summary>
/// The <c>ingest</c> section of the configuration file: how <c>relaywatch ingest</c> (and, for the time zone and
/// the horizon, <c>listen</c>) read logs and write them. Each command-line option overrides its setting.
/// </summary>
internal sealed class IngestSection
{
    /// <summary>Time zone of timestamps without an offset, an IANA name such as Europe/Berlin [default: UTC]; <c>--tz</c> overrides.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Order of numeric dates that read either way: dmy, mdy or ymd [default: detected per file]; <c>--date-order</c> overrides.</summary>
    public string? DateOrder { get; set; }

    /// <summary>Hours correlation state may sit idle [default: per format]; <c>--horizon</c> overrides.</summary>
    public double? HorizonHours { get; set; }

    /// <summary>Lines per batch, one insert and one checkpoint each [default: 200,000]; <c>--batch-lines</c> overrides.</summary>
    public int? BatchLines { get; set; }

    /// <summary>Batches inserted at once [default: 2]; <c>--inserts-in-flight</c> overrides.</summary>
    public int? InsertsInFlight { get; set; }
}
