using System.Globalization;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>spoofing</c>: outside clients that did not authenticate, using one of our domains as the
/// envelope sender (<c>own_domain</c>) or a domain made to look like one (<c>look_alike</c>: a few
/// edits away, ours with a suffix added, ours with its dots dropped or hyphenated under another TLD, or
/// equal once homoglyphs such as 0/o and rn/m are folded).
/// Authenticated partners and our own outbound path never count. Where the logs carry SPF
/// verdicts (policyd-spf), they are part of the evidence.
/// </summary>
internal sealed class Spoofing(SpoofingSettings settings) : Detector
{
    public override string Name => "spoofing";

    public override string Summary => "Spoofed senders: our own domains, or look-alikes of them, in MAIL FROM from unauthenticated outside clients";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["max_distance"] = settings.MaxLookAlikeDistance.ToString(CultureInfo.InvariantCulture),
        ["allowed_senders"] = SqlText.QuoteArray(settings.AllowedSenders),
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

    public override string Query => $$"""
        SELECT
            ip AS subject,
            multiIf(own_accepted > 0, 'high', 'medium') AS severity,
            toFloat32(if(own_accepted + look_alike_accepted > 0, 1.0, 0.7)) AS score,
            first_seen, last_seen, attempts AS events,
            toJSONString(CAST(tuple(if(own_attempts > 0, 'own_domain', 'look_alike'), forged_senders, accepted_messages, refused, spf_verdicts, recipients, hosts, helos, relays),
                'Tuple(rule String, forged_senders Array(String), accepted_messages UInt64, refused UInt64, spf_verdicts Array(String), sample_recipients Array(String), client_hosts Array(String), helos Array(String), relays Array(String))')) AS evidence
        FROM
        (
            SELECT
                ip,
                count() AS attempts,
                countIf(own) AS own_attempts,
                countIf(own AND event = 'message') AS own_accepted,
                countIf(NOT own AND event = 'message') AS look_alike_accepted,
                countIf(event = 'message') AS accepted_messages,
                countIf(event IN ('rcpt_reject', 'reject')) AS refused,
                groupUniqArrayIf(reason, event = 'spf') AS spf_verdicts,
                groupUniqArray(10)(mail_from) AS forged_senders,
                groupUniqArrayIf(10)(rcpt_to, rcpt_to != '') AS recipients,
                groupUniqArray(3)(client_host) AS hosts,
                groupUniqArrayIf(3)(helo, helo != '') AS helos,
                arraySort(groupUniqArray(5)(relay)) AS relays,
                min(ts) AS first_seen,
                max(ts) AS last_seen
            FROM
            (
                SELECT
                    {{Sql.ClientIp}} AS ip,
                    {{Sql.SenderDomain}} AS sender_domain,
                    {{Sql.IsOurDomain("sender_domain")}} AS own,
                    event, reason, mail_from, rcpt_to, client_host, helo, relay, ts
                FROM smtp_events
                WHERE {{Sql.OnTheDay}} AND event IN ('message', 'delivery', 'rcpt_reject', 'reject', 'spf')
                  AND mail_from != '' AND sasl_user = '' AND NOT {{Sql.ClientIsInternal}}
                  AND NOT arrayExists(n -> isIPAddressInRange({{Sql.ClientIp}}, n), {allowed_senders:Array(String)})
            )
            WHERE own OR {{LookAlike}}
            GROUP BY ip
        )
        """;
}
