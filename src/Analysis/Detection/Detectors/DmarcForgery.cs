using System.Globalization;
using RelayWatch.Analysis.Dmarc;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>dmarc_forgery</c>: outside sources that other receivers' DMARC aggregate reports (<c>dmarc_records</c>) saw
/// sending as our domains and failing DMARC — neither DKIM nor SPF passed aligned — on the day, joined with
/// what our relays saw of the same address that day (<see cref="DmarcView"/>'s join). Seen from both sides
/// (<c>both_sides</c>: it also talked to our relays) is <c>high</c>; seen only elsewhere (<c>elsewhere</c>) is
/// <c>medium</c>. A forwarder passing our mail on fails SPF but keeps our DKIM signature, so DMARC passes and it
/// is never named; our own relays and networks never are either. Findings go to the report, not the blocklist
/// (docs/detectors.md says why).
/// </summary>
internal sealed class DmarcForgery(DmarcForgerySettings settings) : Detector
{
    public override string Name => DetectorNames.DmarcForgery;

    public override string Summary => "Sources other receivers' DMARC reports saw failing DMARC as our domains, and which of them also hit our relays that day";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_messages"] = settings.MinMessages.ToString(CultureInfo.InvariantCulture),
    };

    public override string Query => $$"""
        SELECT
            f.ip AS subject,
            if(s.events > 0, 'high', 'medium') AS severity,
            toFloat32(if(s.events > 0, 1.0, 0.6)) AS score,
            if(s.events > 0, s.first_seen, f.first_seen) AS first_seen,
            if(s.events > 0, s.last_seen, f.last_seen) AS last_seen,
            f.messages AS events,
            toJSONString(CAST(tuple(if(s.events > 0, 'both_sides', 'elsewhere'), f.messages, f.reporters, f.header_froms, f.envelope_froms, f.dispositions, s.events, s.relays, s.senders),
                'Tuple(rule String, messages UInt64, reporters Array(String), header_from Array(String), envelope_from Array(String), dispositions Array(String), relay_events UInt64, relays Array(String), relay_senders Array(String))')) AS evidence
        FROM
        (
            SELECT {{DmarcView.Ip}} AS ip, sum(count) AS messages,
                   arraySort(groupUniqArray(10)(reporter_org)) AS reporters, arraySort(groupUniqArray(10)(header_from)) AS header_froms,
                   arraySort(groupUniqArray(10)(envelope_from)) AS envelope_froms, arraySort(groupUniqArray(disposition)) AS dispositions,
                   toDateTime64(min(date_begin), 3, 'UTC') AS first_seen, toDateTime64(max(date_end), 3, 'UTC') AS last_seen
            FROM dmarc_records
            WHERE {{DmarcView.OnTheDay}} AND {{DmarcView.AboutOurDomain}} AND {{DmarcView.Fails}} AND NOT {{DmarcView.FromOurs}}
            GROUP BY ip
            HAVING messages >= {min_messages:UInt64}
        ) AS f
        LEFT JOIN
        (
            SELECT {{Sql.ClientIp}} AS ip, count() AS events, min(ts) AS first_seen, max(ts) AS last_seen,
                   arraySort(groupUniqArray(5)(relay)) AS relays, arraySort(groupUniqArrayIf(5)(mail_from, mail_from != '')) AS senders
            FROM smtp_events
            WHERE {{Sql.OnTheDay}} AND client_ip IN (SELECT source_ip FROM dmarc_records WHERE {{DmarcView.OnTheDay}})
            GROUP BY ip
        ) AS s ON f.ip = s.ip
        """;
}
