using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>backscatter</c>: null-sender bounces to our users for mail they never sent. A bounce is
/// genuine when the user it is addressed to sent mail, in the days before, to the domain of the
/// server that bounces it (our own outbound deliveries in the store); the rest are unmatched, and
/// a bouncing MTA whose bounces are mostly unmatched is blamed, with the targets as evidence.
/// </summary>
internal sealed class Backscatter(BackscatterSettings settings) : Detector
{
    public override string Name => "backscatter";

    public override string Summary => "NDR backscatter: null-sender bounces to our users for mail they never sent, per bouncing MTA";

    public override int LookbackDays => settings.OutboundWindowDays;

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_unmatched"] = settings.MinUnmatchedBounces.ToString(CultureInfo.InvariantCulture),
        ["min_ratio"] = settings.MinUnmatchedRatio.ToString(CultureInfo.InvariantCulture),
    };

    public override string Query => $$"""
        SELECT
            ip AS subject,
            if(unmatched >= 10 * {min_unmatched:UInt64}, 'high', 'medium') AS severity,
            toFloat32(unmatched / bounces) AS score,
            first_seen, last_seen, unmatched AS events,
            toJSONString(CAST(tuple('unmatched_bounces', bounces, unmatched, targets, bouncer_domain, hosts, relays),
                'Tuple(rule String, bounces UInt64, unmatched_bounces UInt64, targets Array(String), bouncer_domain String, client_hosts Array(String), relays Array(String))')) AS evidence
        FROM
        (
            SELECT
                ip,
                count() AS bounces,
                countIf(NOT genuine) AS unmatched,
                arraySort(groupUniqArrayIf(20)(rcpt, NOT genuine)) AS targets,
                any(bouncer_domain) AS bouncer_domain,
                groupUniqArray(3)(client_host) AS hosts,
                arraySort(groupUniqArray(5)(relay)) AS relays,
                minIf(ts, NOT genuine) AS first_seen,
                maxIf(ts, NOT genuine) AS last_seen
            FROM
            (
                SELECT b.ip, b.rcpt, b.ts, b.relay, b.client_host, b.bouncer_domain,
                       b.bouncer_domain != '' AND has(o.domains, b.bouncer_domain) AS genuine
                FROM
                (
                    SELECT
                        {{Sql.ClientIp}} AS ip,
                        {{Sql.OriginalRecipient}} AS rcpt,
                        cutToFirstSignificantSubdomain(client_host) AS bouncer_domain,
                        client_host, relay, ts
                    FROM smtp_events
                    WHERE {{Sql.OnTheDay}} AND event = 'delivery' AND mail_from = ''
                      AND NOT {{Sql.ClientIsInternal}} AND {{Sql.IsOurDomain(Sql.DomainOf("rcpt"))}}
                ) AS b
                LEFT JOIN
                (
                    -- What each of our users sent out, by the receiving domain.
                    SELECT lower(mail_from) AS user, groupUniqArray(cutToFirstSignificantSubdomain({{Sql.RcptDomain}})) AS domains
                    FROM smtp_events
                    WHERE {{Sql.InTheWindow}} AND event IN ('delivery', 'defer', 'bounce')
                      AND mail_from != '' AND {{Sql.ClientIsInternal}} AND NOT {{Sql.IsOurDomain(Sql.RcptDomain)}}
                    GROUP BY user
                ) AS o ON o.user = b.rcpt
            )
            GROUP BY ip
            HAVING unmatched >= {min_unmatched:UInt64} AND unmatched >= {min_ratio:Float64} * bounces
        )
        """;
}
