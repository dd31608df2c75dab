namespace RelayWatch.Reports;

/// <summary>
/// The configuration file's <c>reports</c> section: how much the daily report shows, how relays group
/// into sites, each relay's capacity, and where the report is mailed. docs/reports.md explains each.
/// </summary>
public sealed class ReportSettings
{
    /// <summary>Findings shown per detector.</summary>
    public int TopFindings { get; set; } = 10;

    /// <summary>Scored addresses shown, worst first.</summary>
    public int TopScores { get; set; } = 20;

    /// <summary>Point-of-Presence sites: site name → its relays. A relay named in no site is a site of its own.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Sites { get; set; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>What each relay can take, in accepted messages per hour; the forecast says when it would be reached.</summary>
    public IReadOnlyDictionary<string, double> CapacityMessagesPerHour { get; set; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>A relay silent this long, where its usual rate would have opened at least 20 sessions, is reported as a gap in its logs.</summary>
    public int QuietMinutes { get; set; } = 15;

    /// <summary>Where serve's daily job writes the reports [default: <c>reports</c> beside the job database].</summary>
    public string? Folder { get; set; }

    /// <summary>Addresses serve's daily job mails the report to; none when empty.</summary>
    public IReadOnlyList<string> MailTo { get; set; } = [];

    /// <summary>Mail delivery of the report (<c>report --mail-to</c>, and the daily job with <see cref="MailTo"/>).</summary>
    public ReportMailSettings Mail { get; set; } = new();

    /// <summary>The site a relay belongs to.</summary>
    public string SiteOf(string relay)
    {
        foreach (var (site, relays) in Sites)
        {
            if (relays.Contains(relay, StringComparer.Ordinal))
            {
                return site;
            }
        }

        return relay;
    }

    /// <exception cref="ArgumentException">A setting is out of range; the message says which.</exception>
    public void Validate()
    {
        if (TopFindings < 1 || TopScores < 1)
        {
            throw new ArgumentException($"reports.topFindings ({TopFindings}) and reports.topScores ({TopScores}) must be at least 1.");
        }

        if (QuietMinutes < 1)
        {
            throw new ArgumentException($"reports.quietMinutes ({QuietMinutes}) must be at least 1.");
        }

        foreach (var (relay, capacity) in CapacityMessagesPerHour)
        {
            if (!(capacity > 0))
            {
                throw new ArgumentException($"reports.capacityMessagesPerHour of {relay} ({capacity}) must be above 0.");
            }
        }

        foreach (var address in MailTo)
        {
            if (!MimeKit.MailboxAddress.TryParse(address, out MimeKit.MailboxAddress? _) || !address.Contains('@', StringComparison.Ordinal))
            {
                throw new ArgumentException($"reports.mailTo \"{address}\" is not a mail address.");
            }
        }

        Mail.Validate();
    }
}
