using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>backscatter</c>: null-sender bounces to our users for mail they never sent. A bounce is
/// genuine when the user it is addressed to sent mail, in the days before, to the domain of the
/// server that bounces it (our own outbound deliveries in the store); the rest are unmatched. Two
/// rules: <c>unmatched_bounces</c>, a bouncing MTA whose accepted bounces are mostly unmatched, with
/// the targets as evidence; and <c>wave</c>, the bounces of somebody else's spam run that forged our
/// domain as its senders, arriving from many unrelated receivers' servers, accepted or refused at
/// RCPT. A wave is one finding whose subject is the targeted domain of ours (never an address: the
/// bouncing servers are innocent, and the forger is not in our logs), with the servers, the targets
/// and their forged local-part shapes, the share refused, the relays and the peak as evidence.
/// </summary>
internal sealed class Backscatter(BackscatterSettings settings) : Detector
{
    public override string Name => DetectorNames.Backscatter;

    public override string Summary => "NDR backscatter: null-sender bounces to our users for mail they never sent, per bouncing MTA";

    public override int LookbackDays => settings.OutboundWindowDays;

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_unmatched"] = settings.MinUnmatchedBounces.ToString(CultureInfo.InvariantCulture),
        ["min_ratio"] = settings.MinUnmatchedRatio.ToString(CultureInfo.InvariantCulture),
        ["min_wave_servers"] = settings.MinWaveServers.ToString(CultureInfo.InvariantCulture),
        ["min_wave_networks"] = settings.MinWaveNetworks.ToString(CultureInfo.InvariantCulture),
        ["high_wave_servers"] = settings.HighWaveServers.ToString(CultureInfo.InvariantCulture),
    };

    // What each of our users sent out, by the receiving domain: a bounce from that domain to that user is genuine.
    private static readonly string Outbound = $"""
        SELECT lower(mail_from) AS user, groupUniqArray(cutToFirstSignificantSubdomain({Sql.RcptDomain})) AS domains
        FROM smtp_events
        WHERE {Sql.InTheWindow} AND event IN ('delivery', 'defer', 'bounce')
          AND mail_from != '' AND {Sql.ClientIsInternal} AND NOT {Sql.IsOurDomain(Sql.RcptDomain)}
        GROUP BY user
        """;

    // Bounce rows (ip, rcpt, bouncer_domain, …), each marked genuine when the user it is addressed to
    // mailed the bouncing server's domain in the window.
    private static string MarkedGenuine(string bounces) => $"""
        SELECT b.*, b.bouncer_domain != '' AND has(o.domains, b.bouncer_domain) AS genuine
        FROM ({bounces}) AS b
        LEFT JOIN ({Outbound}) AS o ON o.user = b.rcpt
        """;

    // The day's null-sender deliveries from outside to our users: the per-server rule's bounces.
    private static readonly string DeliveredBounces = $"""
        SELECT
            {Sql.ClientIp} AS ip,
            {Sql.OriginalRecipient} AS rcpt,
            cutToFirstSignificantSubdomain(client_host) AS bouncer_domain,
            client_host, relay, ts
        FROM smtp_events
        WHERE {Sql.OnTheDay} AND event = 'delivery' AND mail_from = ''
          AND NOT {Sql.ClientIsInternal} AND {Sql.IsOurDomain(Sql.DomainOf("rcpt"))}
        """;

    // The day's bounce-shaped null-sender transactions from outside to our domains, accepted
    // (delivery) or refused at RCPT: a wave's bounces.
    private static readonly string WaveBounces = $$"""
        SELECT
            {{Sql.ClientIp}} AS ip,
            {{Sql.ClientNetwork}} AS network,
            {{Sql.OriginalRecipient}} AS rcpt,
            {{Sql.DomainOf("rcpt")}} AS target_domain,
            cutToFirstSignificantSubdomain(client_host) AS bouncer_domain,
            event, reason, client_host, relay, ts
        FROM
        (
            SELECT *, {{Sql.BounceShaped}} AS bounce_shaped
            FROM smtp_events
            WHERE {{Sql.OnTheDay}} AND event IN ('rcpt_reject', 'delivery', 'disconnect') AND NOT {{Sql.ClientIsInternal}}
            {{Sql.SessionWindow}}
        )
        WHERE bounce_shaped AND {{Sql.IsOurDomain(Sql.DomainOf(Sql.OriginalRecipient))}}
        """;

    private const string WaveEvidenceType =
        "Tuple(rule String, bounces UInt64, unmatched_bounces UInt64, servers UInt64, networks UInt64, sample_servers Array(String), "
        + "targets UInt64, real_targets UInt64, made_up_targets UInt64, sample_targets Array(String), local_part_shapes Array(String), "
        + "refused UInt64, refused_share Float64, relays Array(String), peak_hour String, peak_hour_bounces UInt64, "
        + "hourly Array(Tuple(hour String, refused UInt64, accepted UInt64)))";

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
            FROM ({{MarkedGenuine(DeliveredBounces)}})
            GROUP BY ip
            HAVING unmatched >= {min_unmatched:UInt64} AND unmatched >= {min_ratio:Float64} * bounces
        )

        UNION ALL

        SELECT
            target_domain AS subject,
            if(servers >= {high_wave_servers:UInt64}, 'high', 'medium') AS severity,
            toFloat32(unmatched / bounces) AS score,
            first_seen, last_seen, bounces AS events,
            toJSONString(CAST(tuple('wave', bounces, unmatched, servers, networks, sample_servers, targets, real_targets, made_up_targets,
                sample_targets,
                arrayMap(p -> concat(p.1, ' (', toString(p.2), ')'), arraySlice(arrayReverseSort(p -> p.2, arrayZip(shape_counts.1, shape_counts.2)), 1, 5)),
                refused, round(refused / bounces, 3), relays, toString(peak.1), peak.2,
                arrayMap((h, r, a) -> tuple(toString(h), r, a), series.1, series.2, series.3)), '{{WaveEvidenceType}}')) AS evidence
        FROM
        (
            SELECT
                target_domain,
                count() AS bounces,
                countIf(NOT genuine) AS unmatched,
                uniqExact(ip) AS servers,
                uniqExact(network) AS networks,
                arraySlice(arraySort(groupUniqArray(ip)), 1, 20) AS sample_servers,
                uniqExact(rcpt) AS targets,
                uniqExactIf(rcpt, event = 'delivery') AS real_targets,
                uniqExactIf(rcpt, event = 'rcpt_reject' AND reason = 'user_unknown') AS made_up_targets,
                arraySlice(arraySort(groupUniqArray(rcpt)), 1, 20) AS sample_targets,
                -- The forged local parts' shapes: L a run of letters, D a run of digits (john.smith → L.L, qx7f2 → LDLD).
                sumMap([replaceRegexpAll(replaceRegexpAll(splitByChar('@', rcpt)[1], '[^0-9._+-]+', 'L'), '[0-9]+', 'D')], [toUInt64(1)]) AS shape_counts,
                countIf(event = 'rcpt_reject') AS refused,
                arraySort(groupUniqArray(10)(relay)) AS relays,
                arrayReverseSort(p -> p.2, arrayZip(
                    (sumMap([toStartOfHour(ts)], [toUInt64(1)]) AS hours).1, hours.2))[1] AS peak,
                -- The wave hour by hour (UTC), refused at RCPT and accepted, for the report's timeline.
                sumMap([toStartOfHour(ts)], [toUInt64(event = 'rcpt_reject')], [toUInt64(event = 'delivery')]) AS series,
                min(ts) AS first_seen,
                max(ts) AS last_seen
            FROM ({{MarkedGenuine(WaveBounces)}})
            GROUP BY target_domain
        )
        WHERE servers >= {min_wave_servers:UInt64} AND networks >= {min_wave_networks:UInt64}
          AND unmatched >= {min_ratio:Float64} * bounces
        """;
}
