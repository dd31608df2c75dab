using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>bounce_source</c>: us as the backscatter source. A relay of ours accepted mail from an outside
/// client, could not deliver it (typically a domain relayed without a recipient table, so the
/// internal server refuses the unknown user), and sent non-delivery notifications to the senders —
/// which, for spam, are forged: innocent third parties. The client is blamed; the evidence names
/// the relay that bounced and the addresses it bounced to.
/// </summary>
internal sealed class BounceSource(BounceSourceSettings settings) : Detector
{
    public override string Name => DetectorNames.BounceSource;

    public override string Summary => "Backscatter from us: mail a relay of ours accepted from outside and then bounced to (forged) senders";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_notifications"] = settings.MinNotifications.ToString(CultureInfo.InvariantCulture),
        ["min_senders"] = settings.MinSenders.ToString(CultureInfo.InvariantCulture),
    };

    public override string Query => $$"""
        SELECT
            ip AS subject,
            if(notifications >= 10 * {min_notifications:UInt64}, 'high', 'medium') AS severity,
            toFloat32(least(1.0, notifications / (10 * {min_notifications:UInt64}))) AS score,
            first_seen, last_seen, notifications AS events,
            toJSONString(CAST(tuple('accepted_then_bounced', relays, notifications, senders, bounced_to, undeliverable, reasons, hosts),
                'Tuple(rule String, relays Array(String), notifications UInt64, distinct_senders UInt64, bounced_to Array(String), undeliverable_recipients Array(String), reasons Array(String), client_hosts Array(String))')) AS evidence
        FROM
        (
            SELECT
                {{Sql.ClientIp}} AS ip,
                countIf(event = 'ndr_sent') AS notifications,
                uniqExactIf(mail_from, event = 'ndr_sent') AS senders,
                groupUniqArrayIf(10)(mail_from, event = 'ndr_sent') AS bounced_to,
                groupUniqArrayIf(10)(rcpt_to, event = 'bounce') AS undeliverable,
                groupUniqArrayIf(3)(detail, event = 'bounce') AS reasons,
                arraySort(groupUniqArrayIf(10)(relay, event = 'ndr_sent')) AS relays,
                groupUniqArray(3)(client_host) AS hosts,
                minIf(ts, event = 'ndr_sent') AS first_seen,
                maxIf(ts, event = 'ndr_sent') AS last_seen
            FROM smtp_events
            WHERE {{Sql.OnTheDay}} AND event IN ('ndr_sent', 'bounce') AND mail_from != ''
              AND sasl_user = '' AND NOT {{Sql.ClientIsInternal}}
            GROUP BY ip
            HAVING notifications >= {min_notifications:UInt64} AND senders >= {min_senders:UInt64}
        )
        """;
}
