using System.Globalization;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>spoofing</c>: outside clients that did not authenticate, using one of our domains as the
/// envelope sender (<c>own_domain</c>) or a domain made to look like one (<c>look_alike</c>: a few
/// edits away, ours with a suffix added, ours with its dots dropped or hyphenated under another TLD, or
/// equal once homoglyphs such as 0/o and rn/m are folded).
/// Authenticated partners and our own outbound path never count. Where the logs carry SPF
/// verdicts (policyd-spf), they are part of the evidence. Three kinds of mail are cleared, not
/// counted, each counted in the evidence instead: mail whose client and sender domain the relay logged
/// an SPF pass for on the day (the domain's owner authorised it: a SaaS platform its SPF record
/// names); mail from an established sender (its /24 or /48, with the same reverse-DNS domain, had mail
/// accepted on <see cref="SpoofingSettings.EstablishedDays"/> of the previous
/// <see cref="SpoofingSettings.HistoryDays"/>); and mail from a forwarder, a client that rewrote
/// envelope senders with SRS (<c>SRS0=</c>, <c>SRS1=</c>) on the day or in the history, whose other
/// mail carries the original sender it passes on.
/// </summary>
internal sealed class Spoofing(SpoofingSettings settings) : Detector
{
    public override string Name => DetectorNames.Spoofing;

    public override string Summary => "Spoofed senders: our own domains, or look-alikes of them, in MAIL FROM from unauthenticated outside clients";

    public override int LookbackDays => settings.HistoryDays + 1;

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["max_distance"] = settings.MaxLookAlikeDistance.ToString(CultureInfo.InvariantCulture),
        ["allowed_senders"] = SqlText.QuoteArray(settings.AllowedSenders),
        ["established_days"] = settings.EstablishedDays.ToString(CultureInfo.InvariantCulture),
    };

    private const string Fold = "replaceAll(replaceAll(replaceAll(replaceAll(replaceAll(%, '0', 'o'), '1', 'l'), 'rn', 'm'), 'vv', 'w'), '5', 's')";

    private static readonly string LookAlike =
        "NOT own AND sender_domain != '' AND arrayExists(o -> editDistance(sender_domain, o) <= {max_distance:UInt64} "
        + "OR startsWith(sender_domain, concat(o, '.')) "
        + "OR startsWith(sender_domain, concat(splitByChar('.', o)[1], '-')) "
        // ours.example written as oursexample.com or ours-example.net: the dots dropped or turned into hyphens, another TLD added.
        + "OR startsWith(sender_domain, concat(replaceAll(o, '.', ''), '.')) "
        + "OR startsWith(sender_domain, concat(replaceAll(o, '.', '-'), '.')) "
        + $"OR {Fold.Replace("%", "sender_domain", StringComparison.Ordinal)} = {Fold.Replace("%", "o", StringComparison.Ordinal)}, {{our_domains:Array(String)}})";

    // The registered domain of the client's reverse-DNS name ('' for "unknown" and for a bare address).
    private const string RdnsDomain = Sql.ReverseDnsDomain;

    private const string Srs = "match(mail_from, '(?i)^SRS[01][=+-]')";

    // Outside, unauthenticated clients: the only ones this detector looks at.
    private static readonly string Outside =
        $"sasl_user = '' AND NOT {Sql.ClientIsInternal} AND NOT arrayExists(n -> isIPAddressInRange({Sql.ClientIp}, n), {{allowed_senders:Array(String)}})";

    // (client, sender domain) pairs the relay logged an SPF pass for on the day.
    private static readonly string SpfPassed = $"""
        SELECT DISTINCT {Sql.ClientIp} AS ip, {Sql.SenderDomain} AS sender_domain
        FROM smtp_events
        WHERE {Sql.OnTheDay} AND event = 'spf' AND reason = 'pass' AND mail_from != ''
        """;

    // Networks with a reverse-DNS domain that had mail accepted on enough days of the history.
    private static readonly string Established = $$"""
        SELECT {{Sql.ClientNetwork}} AS network, {{RdnsDomain}} AS rdns_domain
        FROM smtp_events
        WHERE toDate(ts) >= {window_start:Date} AND toDate(ts) < {day:Date} AND event = 'message' AND {{Outside}}
        GROUP BY network, rdns_domain
        HAVING rdns_domain != '' AND uniqExact(toDate(ts)) >= {established_days:UInt64}
        """;

    // Clients that rewrote envelope senders with SRS, on the day or in the history: forwarders.
    private static readonly string Forwarders = $"""
        SELECT DISTINCT {Sql.ClientIp} AS ip
        FROM smtp_events
        WHERE {Sql.InTheWindow} AND event IN ('message', 'rcpt_reject', 'reject') AND {Srs} AND {Outside}
        """;

    public override string Query => $$"""
        SELECT
            ip AS subject,
            multiIf(own_accepted > 0, 'high', 'medium') AS severity,
            toFloat32(if(own_accepted + look_alike_accepted > 0, 1.0, 0.7)) AS score,
            first_seen, last_seen, attempts AS events,
            toJSONString(CAST(tuple(if(own_attempts > 0, 'own_domain', 'look_alike'), forged_senders, accepted_messages, refused, spf_verdicts, recipients, hosts, helos, relays,
                    cleared_spf_pass, cleared_established, cleared_forwarder),
                'Tuple(rule String, forged_senders Array(String), accepted_messages UInt64, refused UInt64, spf_verdicts Array(String), sample_recipients Array(String), client_hosts Array(String), helos Array(String), relays Array(String), cleared_spf_pass UInt64, cleared_established UInt64, cleared_forwarder UInt64)')) AS evidence
        FROM
        (
            SELECT
                ip,
                countIf(NOT cleared) AS attempts,
                countIf(own AND NOT cleared) AS own_attempts,
                countIf(own AND event = 'message' AND NOT cleared) AS own_accepted,
                countIf(NOT own AND event = 'message' AND NOT cleared) AS look_alike_accepted,
                countIf(event = 'message' AND NOT cleared) AS accepted_messages,
                countIf(event IN ('rcpt_reject', 'reject') AND NOT cleared) AS refused,
                groupUniqArrayIf(reason, event = 'spf' AND NOT cleared) AS spf_verdicts,
                groupUniqArrayIf(10)(mail_from, NOT cleared) AS forged_senders,
                groupUniqArrayIf(10)(rcpt_to, rcpt_to != '' AND NOT cleared) AS recipients,
                groupUniqArrayIf(3)(client_host, NOT cleared) AS hosts,
                groupUniqArrayIf(3)(helo, helo != '' AND NOT cleared) AS helos,
                arraySort(groupUniqArrayIf(5)(relay, NOT cleared)) AS relays,
                countIf(spf_pass AND event != 'spf') AS cleared_spf_pass,
                countIf(established AND NOT spf_pass AND event != 'spf') AS cleared_established,
                countIf(forwarder AND NOT spf_pass AND NOT established AND event != 'spf') AS cleared_forwarder,
                minIf(ts, NOT cleared) AS first_seen,
                maxIf(ts, NOT cleared) AS last_seen
            FROM
            (
                SELECT
                    d.*,
                    (d.ip, d.sender_domain) IN ({{SpfPassed}}) AS spf_pass,
                    (d.network, d.rdns_domain) IN ({{Established}}) AS established,
                    d.ip IN ({{Forwarders}}) AS forwarder,
                    spf_pass OR established OR forwarder AS cleared
                FROM
                (
                    SELECT
                        {{Sql.ClientIp}} AS ip,
                        {{Sql.ClientNetwork}} AS network,
                        {{RdnsDomain}} AS rdns_domain,
                        {{Sql.SenderDomain}} AS sender_domain,
                        {{Sql.IsOurDomain("sender_domain")}} AS own,
                        event, reason, mail_from, rcpt_to, client_host, helo, relay, ts
                    FROM smtp_events
                    WHERE {{Sql.OnTheDay}} AND event IN ('message', 'delivery', 'rcpt_reject', 'reject', 'spf')
                      AND mail_from != '' AND {{Outside}}
                ) AS d
                WHERE own OR {{LookAlike}}
            )
            GROUP BY ip
            HAVING countIf(NOT cleared AND event != 'spf') > 0
        )
        """;
}
