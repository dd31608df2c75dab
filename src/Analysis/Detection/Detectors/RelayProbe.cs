using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>relay_probe</c>: outside clients, not authenticated, asking us to relay to foreign domains and
/// refused as relay denied. Each probe is classified by the classic shapes relay testers use.
/// </summary>
internal sealed class RelayProbe(RelayProbeSettings settings) : Detector
{
    public override string Name => DetectorNames.RelayProbe;

    public override string Summary => "Relay probes: refused attempts to relay through us, classified (% hack, quoted, source route, IP-literal HELO, test addresses)";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_attempts"] = settings.MinAttempts.ToString(CultureInfo.InvariantCulture),
    };

    // Addresses and HELOs that relay-test scripts have used for decades.
    private const string TestMarkers = @"fake\\.domain|relay-?test|rlytest|mail-abuse\\.org|ordb\\.org|relay\\.test";

    public override string Query => $$"""
        SELECT
            ip AS subject,
            if(length(probe_types) >= 3, 'high', 'medium') AS severity,
            toFloat32(least(1.0, 0.5 + 0.1 * length(probe_types))) AS score,
            first_seen, last_seen, attempts AS events,
            toJSONString(CAST(tuple('relay_denied', probe_types, attempts, recipients, sample_recipients, senders, helos, hosts, relays),
                'Tuple(rule String, probe_types Array(String), attempts UInt64, distinct_recipients UInt64, sample_recipients Array(String), senders Array(String), helos Array(String), client_hosts Array(String), relays Array(String))')) AS evidence
        FROM
        (
            SELECT
                ip,
                count() AS attempts,
                uniqExact(rcpt_to) AS recipients,
                groupUniqArray(10)(rcpt_to) AS sample_recipients,
                groupUniqArray(5)(mail_from) AS senders,
                groupUniqArrayIf(5)(helo, helo != '') AS helos,
                groupUniqArray(3)(client_host) AS hosts,
                arraySort(groupUniqArray(5)(relay)) AS relays,
                arrayFilter(t -> t != '', [
                    if(countIf(position(local_part, '%') > 0) > 0, 'percent_hack', ''),
                    if(countIf(startsWith(rcpt_to, '"')) > 0, 'quoted', ''),
                    if(countIf(startsWith(rcpt_to, '@') OR match(rcpt_to, '^[^"@]*:')) > 0, 'source_route', ''),
                    if(countIf(position(local_part, '!') > 0) > 0, 'bang_path', ''),
                    if(countIf(match(helo, '^\\[.*\\]$')) > 0, 'ip_literal_helo', ''),
                    if(countIf(test_marker) > 0, 'relay_test_address', ''),
                    if(countIf(NOT shaped) > 0, 'foreign_domain', '')]) AS probe_types,
                min(ts) AS first_seen,
                max(ts) AS last_seen
            FROM
            (
                SELECT
                    {{Sql.ClientIp}} AS ip,
                    splitByChar('@', rcpt_to)[1] AS local_part,
                    match(lower(concat(helo, ' ', mail_from, ' ', rcpt_to)), '{{TestMarkers}}') AS test_marker,
                    position(local_part, '%') > 0 OR position(local_part, '!') > 0 OR startsWith(rcpt_to, '"')
                        OR startsWith(rcpt_to, '@') OR match(rcpt_to, '^[^"@]*:') OR test_marker AS shaped,
                    rcpt_to, mail_from, helo, client_host, relay, ts
                FROM smtp_events
                WHERE {{Sql.OnTheDay}} AND event = 'rcpt_reject' AND reason = 'relay_denied'
                  AND sasl_user = '' AND NOT {{Sql.ClientIsInternal}}
            )
            GROUP BY ip
            HAVING attempts >= {min_attempts:UInt64} OR countIf(shaped) > 0
        )
        """;
}
