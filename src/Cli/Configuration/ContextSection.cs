namespace RelayWatch.Cli.Configuration;

/// <summary>
/// The <c>context</c> section: where <c>relaywatch context load</c> finds the network context files when no option
/// names them. Every setting is optional; with none, context stays off (docs/operations.md, "Network context").
/// </summary>
internal sealed class ContextSection
{
    /// <summary>A MaxMind-format ASN database (GeoLite2-ASN.mmdb or GeoIP2 ISP/ASN).</summary>
    public string? AsnDatabase { get; set; }

    /// <summary>A MaxMind-format Country (or City) database (GeoLite2-Country.mmdb).</summary>
    public string? CountryDatabase { get; set; }

    /// <summary>Instead of the databases: a CSV <c>network,asn,organisation,country</c> of the operator's own.</summary>
    public string? Csv { get; set; }
}
