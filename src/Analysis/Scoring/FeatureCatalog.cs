using System.Globalization;

namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// The reputation model's features, SNARE-style: only what the relay logs hold about a sender — volume,
/// what it tried and what we answered, how it introduced itself, its neighbours and its history — never
/// message content. Counts enter log-scaled (<c>log1p</c>), shares as 0..1. The order is the model's
/// input order; a model records the names it was trained with, and scoring refuses a mismatch.
/// </summary>
public static class FeatureCatalog
{
    /// <summary>Name of this feature set, recorded with every model.</summary>
    public const string Version = "ip-features-2";

    public static IReadOnlyList<IpFeature> All { get; } =
    [
        new("sessions", "log1p(sessions)", "Connections the address made that day (log scale).",
            r => $"{Plural(r.Count("sessions"), "connection")}"),
        new("messages", "log1p(messages)", "Messages the relays accepted from it (log scale).",
            r => r.Count("messages") == 0 ? "nothing accepted" : $"{Plural(r.Count("messages"), "message")} accepted"),
        new("recipients", "log1p(attempts)", "Recipients it tried, accepted or refused (log scale).",
            r => r.Count("recipients") == 0 ? "no recipient tried" : $"{Plural(r.Count("recipients"), "recipient")} tried"),
        new("unknown_ratio", "unknown_rcpts / greatest(attempts, 1)", "Share of the recipients it tried that do not exist.",
            r => r.Count("recipients") == 0 ? null : $"{Percent(r["unknown_ratio"])} of {Plural(r.Count("recipients"), "recipient")} unknown"),
        new("relay_denied_ratio", "relay_denied / greatest(attempts + stage_rejects, 1)", "Share of its requests refused as relaying.",
            r => r["relay_denied_ratio"] == 0 ? "no relaying refused" : $"{Percent(r["relay_denied_ratio"])} of its requests refused as relaying"),
        new("dnsbl_ratio", "least(rbl_hits / sessions, 1)", "Share of its connections in which a DNS blocklist listed it (postscreen's rank, 'blocked using').",
            r => r["dnsbl_ratio"] == 0 ? "on no DNS blocklist" : $"listed by a DNS blocklist in {Percent(r["dnsbl_ratio"])} of its connections"),
        new("reject_ratio", "(rejected_rcpts + stage_rejects) / greatest(attempts + stage_rejects, 1)", "Share of its commands the relays refused, for any reason.",
            r => $"{Percent(r["reject_ratio"])} of its commands refused"),
        new("recipient_domains", "log1p(rcpt_domains)", "Distinct recipient domains (log scale).",
            r => r.Count("recipient_domains") == 0 ? null : $"recipients in {Plural(r.Count("recipient_domains"), "domain")}"),
        new("sender_domains", "log1p(sender_domains)", "Distinct envelope-sender domains it used (log scale).",
            r => r.Count("sender_domains") == 0 ? null : $"{Plural(r.Count("sender_domains"), "sender domain")}"),
        new("null_sender_share", "null_sender_messages / greatest(messages, 1)", "Share of its messages with the null sender (bounces).",
            r => r.Count("messages") == 0 ? null : $"{Percent(r["null_sender_share"])} of its messages are bounces (null sender)"),
        new("helo_ip_literal", "helo_ip_literal", "1 when its HELO name is an address literal such as [192.0.2.7].",
            r => r["helo_ip_literal"] > 0 ? "HELO is an IP literal" : null),
        new("helo_bare_word", "helo_bare_word", "1 when its HELO name is a single word without a dot.",
            r => r["helo_bare_word"] > 0 ? $"HELO is a bare word ({Shown(r.Helo)})" : null),
        new("helo_random", "helo_random", "1 when its HELO name looks machine-made: letters and digits mixed in one label, or .local.",
            r => r["helo_random"] > 0 ? $"HELO looks generated ({Shown(r.Helo)})" : null),
        new("helo_matches_rdns", "helo_matches_rdns", "1 when its HELO name equals its reverse DNS name.",
            r => r.Helo.Length == 0 ? null : r["helo_matches_rdns"] > 0 ? "HELO matches its rDNS" : $"HELO {Shown(r.Helo)} differs from its rDNS"),
        new("rdns_missing", "rdns_missing", "1 when the relay found no reverse DNS name for it.",
            r => r["rdns_missing"] > 0 ? "no rDNS" : r.Host.Length > 0 ? $"rDNS {Shown(r.Host)}" : null),
        new("rdns_dynamic", "rdns_dynamic", "1 when its reverse DNS name looks like a dynamic or consumer address (dsl, pool, dyn, embedded digits).",
            r => r["rdns_dynamic"] > 0 ? $"rDNS looks dynamic ({Shown(r.Host)})" : null),
        new("network_neighbours", "log1p(network_ips - 1)", "Other external addresses of its /24 (IPv4) or /48 (IPv6) active that day (log scale).",
            r => $"{Plural(r.Count("network_neighbours"), "other address")} of {r.Network} active"),
        new("network_unknown_ratio", "network_unknown / greatest(network_attempts, 1)", "Share of unknown recipients among everything its /24 or /48 tried that day.",
            r => $"{Percent(r["network_unknown_ratio"])} of the recipients {r.Network} tried unknown"),
        new("active_hours", "active_hours", "Distinct hours of the day it was seen in (0–24).",
            r => $"active in {Plural((long)r["active_hours"], "hour")} of the day"),
        new("mean_size", "log1p(if(messages = 0, 0, mean_size))", "Mean size of its accepted messages in bytes (log scale).",
            r => r.Count("messages") == 0 ? null : $"messages average {Bytes(r.Count("mean_size"))}"),
        new("max_size", "log1p(max_size)", "Largest accepted message in bytes (log scale).",
            r => r.Count("messages") == 0 ? null : $"largest message {Bytes(r.Count("max_size"))}"),
        new("tls_share", "tls_sessions / greatest(disconnects, 1)", "Share of its finished sessions that used STARTTLS.",
            r => r["tls_share"] == 0 ? "no TLS" : $"TLS in {Percent(r["tls_share"])} of its sessions"),
        new("auth_failures", "log1p(auth_failures)", "Failed SMTP AUTH attempts (log scale).",
            r => r.Count("auth_failures") == 0 ? "no failed logins" : $"{Plural(r.Count("auth_failures"), "failed login")}"),
        new("authenticated_share", "authenticated_messages / greatest(messages, 1)", "Share of its messages sent after a successful SMTP AUTH.",
            r => r["authenticated_share"] == 0 ? "never authenticated" : $"authenticated for {Percent(r["authenticated_share"])} of its messages"),
        new("lost_share", "least(lost_connections / sessions, 1)", "Share of its connections dropped mid-transaction.",
            r => r["lost_share"] == 0 ? null : $"dropped {Percent(r["lost_share"])} of its connections mid-session"),
        new("pipelining", "log1p(pipelining)", "Pipelining violations and pregreets: talking before its turn (log scale).",
            r => r.Count("pipelining") == 0 ? "waits its turn" : $"{Plural(r.Count("pipelining"), "pipelining or pregreet violation")}"),
        new("protocol_errors", "log1p(protocol_errors)", "Too many errors, non-SMTP commands and timeouts (log scale).",
            r => r.Count("protocol_errors") == 0 ? null : $"{Plural(r.Count("protocol_errors"), "protocol error")}"),
        new("spf_fail_share", "spf_failures / greatest(spf_checks, 1)", "Share of SPF checks on its mail that failed or soft-failed.",
            r => r["spf_fail_share"] == 0 ? null : $"SPF failed in {Percent(r["spf_fail_share"])} of the checks"),
        new("days_seen_before", "days_seen", $"Days it was seen in the {HistoryDays} days before.",
            r => r["days_seen_before"] == 0 ? $"not seen in the previous {HistoryDays} days" : $"seen on {Plural((long)r["days_seen_before"], "day")} of the previous {HistoryDays}"),
        new("previous_findings", "log1p(address_findings + network_findings)", $"Findings that named it or its network in the {HistoryDays} days before (log scale).",
            r => r.Count("previous_findings") == 0 ? null : $"named in {Plural(r.Count("previous_findings"), "finding")} in the previous {HistoryDays} days"),
        new("template_new_networks", "log1p(template_new_networks)", "Networks (/24 or /48) of the addresses new to us that day, sending non-bounce mail, whose rDNS (else HELO) name has its naming template (digit runs as #) (log scale).",
            r => r.Count("template_new_networks") < 2 ? null : $"its naming template shared by new addresses in {Plural(r.Count("template_new_networks"), "network")}"),
        new("sender_pattern_new_networks", "log1p(sender_pattern_new_networks)", "Networks of the addresses new to us that day whose envelope sender has its pattern (digit runs as #) (log scale).",
            r => r.Count("sender_pattern_new_networks") < 2 ? null : $"its sender pattern shared by new addresses in {Plural(r.Count("sender_pattern_new_networks"), "network")}"),
        new("shape_new_networks", "log1p(shape_new_networks)", "Networks of the addresses new to us that day whose messages have its size (within about 9 %) and whose first message came in the same hour (log scale).",
            r => r.Count("shape_new_networks") < 2 ? null : $"new addresses in {Plural(r.Count("shape_new_networks"), "network")} sent its message size in the same hour"),
        new("sender_domain_unknown_ratio", "if(last_sender = '', 0, sender_domain_unknown / greatest(sender_domain_attempts, 1))", "Share of unknown recipients among everything every address using its envelope-sender domain tried that day.",
            r => r["sender_domain_unknown_ratio"] == 0 ? null : $"{Percent(r["sender_domain_unknown_ratio"])} of the recipients its sender domain tried unknown"),
        new("unknown_shared", "unknown_shared", "Share of the unknown recipients it tried that another network also tried in the week up to the day (a shared dictionary; a typo is one's own).",
            r => r["unknown_shared"] == 0 ? null : $"{Percent(r["unknown_shared"])} of its unknown recipients also tried by other networks this week"),
    ];

    /// <summary>How far back the history features look.</summary>
    public const int HistoryDays = 14;

    /// <summary>Name of the feature set with the network features (<see cref="Network"/>) after <see cref="All"/>.</summary>
    public const string NetworkVersion = Version + "+as-1";

    /// <summary>How far back the network features look: the days before the scored day, never the day itself.</summary>
    public const int NetworkHistoryDays = 7;

    /// <summary>
    /// The network (autonomous system) features of issue 21, appended after <see cref="All"/> when
    /// <c>scoring.networkFeatures</c> is on: what the other senders of the address's AS did in the
    /// <see cref="NetworkHistoryDays"/> days before the scored day, from the network context an operator loads
    /// (docs/operations.md). "Flagged" means named by a finding (the address or its /24 or /48) or refused by a
    /// DNS blocklist on one of those days. Without network context (or for an address in no loaded network) all
    /// three are 0.
    /// </summary>
    public static IReadOnlyList<IpFeature> Network { get; } =
    [
        new("as_bad_share_prior", "if(as_senders = 0, 0, as_bad / as_senders)",
            $"Share of the distinct senders of its autonomous system in the {NetworkHistoryDays} days before that were flagged (named by a finding, or refused by a DNS blocklist); 0 without network context.",
            r => r.AsName.Length == 0 || r.Count("as_senders_prior") == 0 || r["as_bad_share_prior"] == 0 ? null
                : $"its network {Shown(r.AsName)} had {(long)Math.Round(r["as_bad_share_prior"] * r.Count("as_senders_prior"))} of {Plural(r.Count("as_senders_prior"), "sender")} flagged in the previous {NetworkHistoryDays} days"),
        new("as_senders_prior", "log1p(as_senders)",
            $"Distinct senders of its autonomous system in the {NetworkHistoryDays} days before (log scale); 0 without network context.",
            r => r.AsName.Length == 0 || r.Count("as_senders_prior") == 0 ? null
                : $"its network {Shown(r.AsName)} had {Plural(r.Count("as_senders_prior"), "sender")} in the previous {NetworkHistoryDays} days"),
        new("as_new", "asn != 0 AND as_senders = 0",
            $"1 when its autonomous system sent us nothing in the {NetworkHistoryDays} days before; 0 without network context.",
            r => r.AsName.Length == 0 || r["as_new"] == 0 ? null : $"its network {Shown(r.AsName)} is new to us (nothing from it in the previous {NetworkHistoryDays} days)"),
    ];

    /// <summary><see cref="All"/> and then <see cref="Network"/>: the inputs of a model trained with network features.</summary>
    public static IReadOnlyList<IpFeature> WithNetwork { get; } = [.. All, .. Network];

    private static readonly Dictionary<string, int> Indexes = WithNetwork.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(f => f.Name)];

    public static IReadOnlyList<string> NetworkNames { get; } = [.. WithNetwork.Select(f => f.Name)];

    /// <summary>The features a model is trained on: <see cref="All"/>, or with <paramref name="network"/> <see cref="WithNetwork"/>.</summary>
    public static IReadOnlyList<IpFeature> For(bool network) => network ? WithNetwork : All;

    /// <summary>Whether a model's recorded feature names are the set with network features; null when they are neither set this version computes.</summary>
    public static bool? UsesNetwork(IReadOnlyList<string> names) =>
        names.SequenceEqual(Names) ? false : names.SequenceEqual(NetworkNames) ? true : null;

    public static int IndexOf(string feature) =>
        Indexes.TryGetValue(feature, out var index) ? index : throw new ArgumentException($"There is no feature named {feature}.", nameof(feature));

    /// <summary>
    /// A name the client chose (HELO) or its DNS gave (rDNS), fit for a sentence on an analyst's terminal:
    /// control characters (an escape sequence, a newline) become '?', and anything past 64 characters is cut.
    /// </summary>
    internal static string Shown(string name)
    {
        var shown = new string([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > 64 ? shown + "…" : shown;
    }

    private static string Percent(float share) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(share * 100):0}%");

    private static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : noun.EndsWith('s') ? "es" : "s")}");

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
