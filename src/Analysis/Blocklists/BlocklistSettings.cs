namespace RelayWatch.Analysis.Blocklists;

/// <summary>
/// The configuration file's <c>blocklists</c> section: what gets listed, for how long, and what never
/// is. docs/blocklists.md explains each setting. Safety first: a blocklist that blocks a partner or
/// an internal network is an outage.
/// </summary>
public sealed class BlocklistSettings
{
    /// <summary>Detectors whose findings list their subject. <c>bounce_source</c> is not among them: its subject is our own relay.</summary>
    public IReadOnlyList<string> Detectors { get; set; } = [DetectorNames.DirectoryHarvest, DetectorNames.RelayProbe, DetectorNames.OpenRelay, DetectorNames.Spoofing, DetectorNames.AuthBruteForce];

    /// <summary>IP reputation score at or above which an address is listed (null: scores list nothing).</summary>
    public double? MinimumScore { get; set; } = 0.95;

    /// <summary>Days an entry stays listed, by the severity that listed it.</summary>
    public IReadOnlyDictionary<string, int> TtlDays { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["critical"] = 30, ["high"] = 14, ["medium"] = 7, ["low"] = 3, ["score"] = 7,
    };

    /// <summary>Each earlier listing in the last <see cref="RepeatWindowDays"/> multiplies the time to live by this.</summary>
    public double RepeatFactor { get; set; } = 2;

    public int RepeatWindowDays { get; set; } = 90;

    /// <summary>No entry lives longer than this.</summary>
    public int MaxTtlDays { get; set; } = 180;

    /// <summary>Listed addresses of one IPv4 /24 (IPv6 /64) at which the whole prefix is listed instead, when no good sender shares it.</summary>
    public int AggregateMembers { get; set; } = 4;

    /// <summary>The shortest prefixes ever listed: never 0.0.0.0/0 or ::/0, nor a provider's whole block.</summary>
    public int MinPrefixV4 { get; set; } = 24;

    public int MinPrefixV6 { get; set; } = 48;

    /// <summary>Addresses and networks never listed: partners, big providers. Our internal networks never are either.</summary>
    public IReadOnlyList<string> Allowlist { get; set; } = [];

    /// <summary>Private, loopback, link-local, multicast and documentation-free special space may be listed only if this is true.</summary>
    public bool AllowSpecialAddresses { get; set; }

    /// <summary>A new entry from which more messages than this were accepted in the last 30 days goes to review instead of the published list.</summary>
    public int ReviewAboveAcceptedMessages { get; set; } = 10;

    /// <summary>
    /// The same for an entry that only an IP score lists, no detector's finding: a model's verdict alone
    /// on an address we took mail from is held for review (0: any accepted message).
    /// </summary>
    public int ReviewScoredAboveAcceptedMessages { get; set; }
}
