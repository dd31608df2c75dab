using RelayWatch.Analysis.Context;
using RelayWatch.Reports.Content;
using RelayWatch.Store;
using RelayWatch.Store.Vocabulary;

namespace RelayWatch.Reports.Sections;

/// <summary>
/// Reads <see cref="AttackNetworksSection"/>: the addresses the day's findings blame, looked up in the network context
/// dictionary by their rows of the day. Null when no context is loaded.
/// </summary>
internal static class AttackNetworksReader
{
    // The blamed addresses: a subject that is an address, else the members its evidence lists (a network's harvesters,
    // a campaign's addresses, an AS campaign's probers). Innocent by kind: a bouncing server, our own relay.
    private static readonly string Named = $$"""
        SELECT DISTINCT toIPv6(named) AS address
        FROM
        (
            SELECT arrayJoin(if(isIPv4String(subject) OR isIPv6String(subject), [subject], JSONExtract(evidence, 'members', 'Array(String)'))) AS named
            FROM findings
            WHERE day = {day:Date} AND detector NOT IN ('{{DetectorNames.Backscatter}}', '{{DetectorNames.OutboundAuthFailure}}')
        )
        WHERE isIPv4String(named) OR isIPv6String(named)
        """;

    private static readonly string PerAddress = $$"""
        SELECT
            client_ip,
            count() AS events,
            countIf(event IN ('rcpt_reject', 'reject')) AS refused,
            dictGet('{{NetworkContextStore.Dictionary}}', 'asn', client_ip) AS asn,
            dictGet('{{NetworkContextStore.Dictionary}}', 'organisation', client_ip) AS organisation,
            dictGet('{{NetworkContextStore.Dictionary}}', 'country', client_ip) AS country
        FROM smtp_events
        WHERE toDate(ts) = {day:Date} AND client_ip IN ({{Named}})
        GROUP BY client_ip
        """;

    public static async Task<AttackNetworksSection?> ReadAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var networkContext = new NetworkContextStore(context.Store);
        if (await networkContext.CountAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return null;
        }

        await networkContext.EnsureDictionaryAsync(cancellationToken).ConfigureAwait(false);
        var totals = await context.Store.QueryListAsync($"SELECT count(), sum(events) FROM ({PerAddress})", context.Parameters, cancellationToken).ConfigureAwait(false);
        var networks = await context.Store.QueryListAsync(
            $"""
            SELECT asn, any(organisation), any(country), count() AS addresses, sum(events) AS all_events, sum(refused)
            FROM ({PerAddress})
            GROUP BY asn
            ORDER BY addresses DESC, all_events DESC, asn
            LIMIT {AttackNetworksSection.Shown}
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        var countries = await context.Store.QueryListAsync(
            $"""
            SELECT country, count() AS addresses, sum(events) AS all_events, sum(refused)
            FROM ({PerAddress})
            GROUP BY country
            ORDER BY addresses DESC, all_events DESC, country
            LIMIT {AttackNetworksSection.Shown}
            """,
            context.Parameters, cancellationToken).ConfigureAwait(false);
        return new AttackNetworksSection(
            Values.Long(totals[0][0]),
            Values.Long(totals[0][1]),
            [.. networks.Select(r => new AttackNetworksSection.Network(
                uint.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), Values.Shown(NetworkContextText.OneLine(r[1])), Values.Shown(r[2], 8), Values.Long(r[3]), Values.Long(r[4]), Values.Long(r[5])))],
            [.. countries.Select(r => new AttackNetworksSection.Country(Values.Shown(r[0], 8), Values.Long(r[1]), Values.Long(r[2]), Values.Long(r[3])))]);
    }
}
