using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary><c>auth_bruteforce</c>: many failed SMTP authentications from one outside address in a day.</summary>
internal sealed class AuthBruteForce(AuthBruteForceSettings settings) : Detector
{
    public override string Name => DetectorNames.AuthBruteForce;

    public override string Summary => "SASL brute force: many failed SMTP authentications from one outside IP";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_failures"] = settings.MinFailures.ToString(CultureInfo.InvariantCulture),
    };

    public override string Query => $$"""
        SELECT
            ip AS subject,
            if(failures >= 10 * {min_failures:UInt64}, 'high', 'medium') AS severity,
            toFloat32(least(1.0, failures / (10 * {min_failures:UInt64}))) AS score,
            first_seen, last_seen, failures AS events,
            toJSONString(CAST(tuple('failed_logins', failures, sessions, mechanisms, hosts, relays),
                'Tuple(rule String, failures UInt64, sessions UInt64, sample_replies Array(String), client_hosts Array(String), relays Array(String))')) AS evidence
        FROM
        (
            SELECT
                {{Sql.ClientIp}} AS ip,
                count() AS failures,
                uniqExact(session_id) AS sessions,
                groupUniqArray(3)(detail) AS mechanisms,
                groupUniqArray(3)(client_host) AS hosts,
                arraySort(groupUniqArray(5)(relay)) AS relays,
                min(ts) AS first_seen,
                max(ts) AS last_seen
            FROM smtp_events
            WHERE {{Sql.OnTheDay}} AND event = 'auth_failure' AND NOT {{Sql.ClientIsInternal}}
            GROUP BY ip
            HAVING failures >= {min_failures:UInt64}
        )
        """;
}
