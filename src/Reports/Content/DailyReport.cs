namespace RelayWatch.Reports.Content;

/// <summary>
/// Everything the daily report says about one day, before it is rendered: the JSON report is this
/// record serialised (docs/reports.md documents it), and the HTML and Markdown pages are views of it.
/// </summary>
/// <param name="Schema">The JSON schema's name and version, <see cref="SchemaVersion"/>.</param>
/// <param name="Day">The day reported, UTC.</param>
/// <param name="GeneratedAt">When the report was made.</param>
/// <param name="HasData">False when the store holds no events for the day; the sections are then empty.</param>
/// <param name="OurDomains">Our domains as others see them; null when no DMARC aggregate or SMTP TLS report covers the day.</param>
/// <param name="AttackNetworks">The networks and countries of the day's attack traffic; null when no network context is loaded.</param>
public sealed record DailyReport(
    string Schema,
    DateOnly Day,
    DateTimeOffset GeneratedAt,
    bool HasData,
    SummarySection Summary,
    IReadOnlyList<DetectorSection> Detectors,
    ScoreSection? Scores,
    BlocklistSection? Blocklist,
    TrafficSection Traffic,
    DataQualitySection DataQuality,
    OurDomainsSection? OurDomains,
    AttackNetworksSection? AttackNetworks)
{
    public const string SchemaVersion = "relaywatch-daily-report/1";
}
