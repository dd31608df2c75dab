using System.Globalization;
using RelayWatch.Analysis.Dmarc;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>outbound_auth_failure</c>: one of our own sending addresses (a relay's, or in our internal networks) whose
/// mail other receivers reported failing DKIM or SPF on the day — a misconfiguration (an address missing from
/// the SPF record, a broken DKIM key) before it becomes a deliverability incident. The subject is our own
/// relay's address, so it is never listed; <c>high</c> when some of that mail failed DMARC altogether (both
/// checks), <c>medium</c> when one check still carried it. At least
/// <see cref="OutboundAuthFailureSettings.MinFailingShare"/> of the address's reported mail must fail.
/// </summary>
internal sealed class OutboundAuthFailure(OutboundAuthFailureSettings settings) : Detector
{
    public override string Name => DetectorNames.OutboundAuthFailure;

    public override string Summary => "Our own relays' mail failing SPF or DKIM at other receivers, as their DMARC reports say";

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_failing_share"] = settings.MinFailingShare.ToString("R", CultureInfo.InvariantCulture),
    };

    public override string Query => $$"""
        SELECT
            ip AS subject,
            if(dmarc_failing > 0, 'high', 'medium') AS severity,
            toFloat32(failing / messages) AS score,
            first_seen, last_seen,
            failing AS events,
            toJSONString(CAST(tuple(multiIf(dkim_failing > 0 AND spf_failing > 0, 'dkim_and_spf', spf_failing > 0, 'spf', 'dkim'),
                    messages, failing, dkim_failing, spf_failing, dmarc_failing, reporters, header_froms),
                'Tuple(rule String, messages UInt64, failing UInt64, dkim_failing UInt64, spf_failing UInt64, dmarc_failing UInt64, reporters Array(String), header_from Array(String))')) AS evidence
        FROM
        (
            SELECT {{DmarcView.Ip}} AS ip, sum(count) AS messages,
                   sumIf(count, dkim != 'pass' OR spf != 'pass') AS failing,
                   sumIf(count, dkim != 'pass') AS dkim_failing, sumIf(count, spf != 'pass') AS spf_failing, sumIf(count, {{DmarcView.Fails}}) AS dmarc_failing,
                   arraySort(groupUniqArrayIf(10)(reporter_org, dkim != 'pass' OR spf != 'pass')) AS reporters,
                   arraySort(groupUniqArray(10)(header_from)) AS header_froms,
                   toDateTime64(min(date_begin), 3, 'UTC') AS first_seen, toDateTime64(max(date_end), 3, 'UTC') AS last_seen
            FROM dmarc_records
            WHERE {{DmarcView.OnTheDay}} AND {{DmarcView.AboutOurDomain}} AND {{DmarcView.FromOurs}}
            GROUP BY ip
            HAVING failing > 0 AND failing >= {min_failing_share:Float64} * messages
        )
        """;
}
