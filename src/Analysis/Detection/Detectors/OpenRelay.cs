using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>open_relay</c>: mail from an outside client that did not authenticate, for a domain that is
/// not ours, accepted and delivered onwards to the Internet. Always critical; names the relay.
/// </summary>
/// <remarks>
/// A user's forward to an outside mailbox is told apart by the recipient the client gave
/// (<c>orig_rcpt_to</c>): it was one of ours.
/// </remarks>
internal sealed class OpenRelay(OpenRelaySettings settings) : Detector
{
    public override string Name => DetectorNames.OpenRelay;

    public override string Summary => "Open relay: mail from unauthenticated outside clients to foreign domains that a relay of ours accepted and delivered";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_messages"] = settings.MinMessages.ToString(CultureInfo.InvariantCulture),
    };

    public override string Query => $$"""
        SELECT
            ip AS subject,
            'critical' AS severity,
            toFloat32(1) AS score,
            first_seen, last_seen, deliveries AS events,
            toJSONString(CAST(tuple('delivered_to_foreign_domain', relays, messages, deliveries, recipients, senders, next_hops, hosts, helos),
                'Tuple(rule String, relays Array(String), messages UInt64, deliveries UInt64, sample_recipients Array(String), senders Array(String), next_hops Array(String), client_hosts Array(String), helos Array(String))')) AS evidence
        FROM
        (
            SELECT
                {{Sql.ClientIp}} AS ip,
                uniqExact(relay, queue_id) AS messages,
                count() AS deliveries,
                groupUniqArray(10)(rcpt_to) AS recipients,
                groupUniqArray(10)(mail_from) AS senders,
                groupUniqArray(5)(next_hop) AS next_hops,
                groupUniqArray(3)(client_host) AS hosts,
                groupUniqArrayIf(3)(helo, helo != '') AS helos,
                arraySort(groupUniqArray(10)(relay)) AS relays,
                min(ts) AS first_seen,
                max(ts) AS last_seen
            FROM smtp_events
            WHERE {{Sql.OnTheDay}} AND event = 'delivery'
              AND sasl_user = '' AND NOT {{Sql.ClientIsInternal}}
              AND NOT {{Sql.IsOurDomain(Sql.RcptDomain)}}
              -- A forward of one of our users to an outside mailbox was asked for as ours.
              AND NOT {{Sql.IsOurDomain(Sql.DomainOf(Sql.OriginalRecipient))}}
              AND NOT arrayExists(n -> isIPAddressInRange({{Sql.NextHopAddress}}, n), {internal_networks:Array(String)})
            GROUP BY ip
            HAVING messages >= {min_messages:UInt64}
        )
        """;
}
