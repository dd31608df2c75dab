namespace RelayWatch.Analysis.Detection;

/// <summary>
/// The configuration file's <c>detectors</c> section: every detector's thresholds, with the defaults
/// below. docs/detectors.md explains each and how it was chosen.
/// </summary>
public sealed class DetectorSettings
{
    public DhaSettings Dha { get; set; } = new();

    public RelayProbeSettings RelayProbe { get; set; } = new();

    public OpenRelaySettings OpenRelay { get; set; } = new();

    public SpoofingSettings Spoofing { get; set; } = new();

    public BackscatterSettings Backscatter { get; set; } = new();

    public BounceSourceSettings BounceSource { get; set; } = new();

    public AuthBruteForceSettings AuthBruteForce { get; set; } = new();

    public CompromisedAccountSettings CompromisedAccount { get; set; } = new();

    public SnowshoeSettings Snowshoe { get; set; } = new();

    public DmarcForgerySettings DmarcForgery { get; set; } = new();

    public OutboundAuthFailureSettings OutboundAuthFailure { get; set; } = new();

    /// <summary>Detector names to skip (e.g. <c>["spoofing"]</c> where third parties legitimately send as us).</summary>
    public IReadOnlyList<string> Disabled { get; set; } = [];
}

public sealed class DhaSettings
{
    /// <summary>Distinct unknown recipients one IP must try in a day.</summary>
    public int MinUnknownRecipients { get; set; } = 10;

    /// <summary>Share of unknown among all recipients it tried (unknown + accepted); an ordinary sender's typo stays far below.</summary>
    public double MinUnknownRatio { get; set; } = 0.5;

    /// <summary>Distinct unknown recipients at which a harvest is rated high rather than medium.</summary>
    public int HighUnknownRecipients { get; set; } = 100;

    /// <summary>Days a low-and-slow campaign is aggregated over.</summary>
    public int NetworkWindowDays { get; set; } = 7;

    /// <summary>Distinct unknown recipients a /24 or /48 must collect in the window.</summary>
    public int MinNetworkUnknownRecipients { get; set; } = 20;

    /// <summary>Distinct member IPs that must take part.</summary>
    public int MinNetworkMembers { get; set; } = 3;

    /// <summary>The busiest member's largest share of the network's unknown recipients: above it, the harvest is one IP's, not the network's.</summary>
    public double MaxNetworkMemberShare { get; set; } = 0.5;

    /// <summary>Quiet harvesting IPs in unrelated networks that must share a dictionary (unknown recipients tried from two networks or more) to be one campaign.</summary>
    public int MinDictionaryMembers { get; set; } = 5;

    /// <summary>Distinct shared unknown recipients that make a dictionary.</summary>
    public int MinDictionaryWords { get; set; } = 5;

    /// <summary>
    /// Addresses of one /24 or /48 under one reverse-DNS domain, sending on the day, that make a sender
    /// pool: <c>per_ip</c> then blames one of them only when the whole pool's unknown share is as high.
    /// </summary>
    public int MinPoolMembers { get; set; } = 3;

    /// <summary>
    /// Rule <c>as_campaign</c> (only with network context loaded): harvesting members of one autonomous system that
    /// must take part, over <see cref="NetworkWindowDays"/>.
    /// </summary>
    public int MinAsMembers { get; set; } = 5;

    /// <summary>Rule <c>as_campaign</c>: distinct /24s (IPv4) or /48s (IPv6) of the AS its members must come from; fewer is the <c>network</c> rule's.</summary>
    public int MinAsNetworks { get; set; } = 4;

    /// <summary>Rule <c>as_campaign</c>: distinct unknown recipients each member must have tried in the window (one is a slip, not a guess).</summary>
    public int MinAsMemberUnknown { get; set; } = 2;
}

public sealed class RelayProbeSettings
{
    /// <summary>Relay-denied recipients an IP must try in a day; one is enough when it has a probe's shape (% hack, quoted, source route, test address).</summary>
    public int MinAttempts { get; set; } = 2;
}

public sealed class OpenRelaySettings
{
    /// <summary>Messages relayed to foreign domains before it is a finding; one is already an incident.</summary>
    public int MinMessages { get; set; } = 1;
}

public sealed class SpoofingSettings
{
    /// <summary>Largest edit distance from one of our domains that makes a sender domain a look-alike.</summary>
    public int MaxLookAlikeDistance { get; set; } = 2;

    /// <summary>Networks allowed to send as us without authenticating (a newsletter service, say), as CIDR.</summary>
    public IReadOnlyList<string> AllowedSenders { get; set; } = [];

    /// <summary>Days of history in which an established sender is looked for.</summary>
    public int HistoryDays { get; set; } = 14;

    /// <summary>
    /// Days of that history on which the same /24 (or /48) with the same reverse-DNS domain had mail accepted,
    /// that make it an established sender whose mail as our domain is not called spoofing.
    /// </summary>
    public int EstablishedDays { get; set; } = 3;
}

public sealed class BackscatterSettings
{
    /// <summary>Null-sender bounces from one IP, to our users who never mailed its domain, before it is a finding.</summary>
    public int MinUnmatchedBounces { get; set; } = 5;

    /// <summary>Share of its bounces that must be unmatched: a real mail server also bounces mail we did send.</summary>
    public double MinUnmatchedRatio { get; set; } = 0.8;

    /// <summary>Days of our outbound mail a bounce is matched against.</summary>
    public int OutboundWindowDays { get; set; } = 7;

    /// <summary>Distinct bouncing servers in a day that make bounces to one of our domains a wave (the <c>wave</c> rule).</summary>
    public int MinWaveServers { get; set; } = 10;

    /// <summary>Distinct /24 (IPv4) or /48 (IPv6) networks those servers must span: a wave comes from unrelated receivers, not one farm.</summary>
    public int MinWaveNetworks { get; set; } = 5;

    /// <summary>Bouncing servers at which a wave is rated high rather than medium.</summary>
    public int HighWaveServers { get; set; } = 100;
}

public sealed class BounceSourceSettings
{
    /// <summary>Non-delivery notifications our relays sent for one outside client's mail in a day.</summary>
    public int MinNotifications { get; set; } = 3;

    /// <summary>Distinct senders they went to: a real correspondent's typo bounces to one sender, forged spam to many.</summary>
    public int MinSenders { get; set; } = 3;
}

public sealed class AuthBruteForceSettings
{
    /// <summary>Failed authentications from one IP in a day.</summary>
    public int MinFailures { get; set; } = 10;
}

public sealed class CompromisedAccountSettings
{
    /// <summary>Days of a login's own history its day is compared with.</summary>
    public int HistoryDays { get; set; } = 14;

    /// <summary>Distinct recipients in a day below which a login's volume never counts as a break.</summary>
    public int MinRecipients { get; set; } = 100;

    /// <summary>Distinct recipient domains in a day below which its spread never counts as a break (also the fewest attempts for a failure share).</summary>
    public int MinDomains { get; set; } = 20;

    /// <summary>How many times its busiest day in the history the day's recipients or domains must be.</summary>
    public double Growth { get; set; } = 5;

    /// <summary>Share of its recipients refused or bounced that counts as failing.</summary>
    public double MinFailureShare { get; set; } = 0.2;
}

public sealed class SnowshoeSettings
{
    /// <summary>Days before the detected day in which an address or a template counts as seen before.</summary>
    public int HistoryDays { get; set; } = 14;

    /// <summary>Days of that history that must hold data before anything can be called new (the first days of a store find nothing).</summary>
    public int MinHistoryDays { get; set; } = 7;

    /// <summary>New addresses sharing a template that make a campaign.</summary>
    public int MinMembers { get; set; } = 8;

    /// <summary>Distinct /24 (or /48) networks they must come from.</summary>
    public int MinNetworks { get; set; } = 5;

    /// <summary>
    /// Share of a naming's addresses in the history that sent on two days or more, from which the naming is an
    /// established sender's (a pool's addresses come back; a snowshoe run's are used once).
    /// </summary>
    public double MinReturningShare { get; set; } = 0.2;
}

public sealed class DmarcForgerySettings
{
    /// <summary>Messages the day's DMARC reports count from one outside source failing DMARC as our domain.</summary>
    public int MinMessages { get; set; } = 1;
}

public sealed class OutboundAuthFailureSettings
{
    /// <summary>
    /// Share of one of our sending addresses' reported mail that must fail DKIM or SPF: below it, a receiver's
    /// odd temporary error on one message in thousands is not a misconfiguration.
    /// </summary>
    public double MinFailingShare { get; set; } = 0.01;
}
