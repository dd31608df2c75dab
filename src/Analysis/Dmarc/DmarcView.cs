using System.Globalization;
using System.Net;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Dmarc;

/// <summary>
/// Joins the DMARC aggregate reports (<c>dmarc_records</c>) with the relays' own logs (<c>smtp_events</c>) for one day:
/// the reports whose range overlaps the day, about our domains (<see cref="OurEstate.ProtectedDomains"/> and their
/// subdomains, by header_from, else the policy domain). Mail fails DMARC when neither DKIM nor SPF passed in the
/// receiver's evaluation. "Ours" is a source in our internal networks or one of our relays' addresses.
/// </summary>
public sealed class DmarcView(IClickHouseStore store)
{
    // The join's SQL, shared with the detectors over it (dmarc_forgery, outbound_auth_failure); parameters
    // {day:Date}, {our_domains:Array(String)} and {our_senders:Array(String)} (OurSenders).

    /// <summary>The reported source as canonical text.</summary>
    internal const string Ip = "replaceRegexpOne(IPv6NumToString(source_ip), '^::ffff:', '')";

    /// <summary>Reports whose range overlaps the day.</summary>
    internal const string OnTheDay = "date_begin < toDateTime({day:Date}, 'UTC') + INTERVAL 1 DAY AND date_end >= toDateTime({day:Date}, 'UTC')";

    /// <summary>Mail failing DMARC: neither DKIM nor SPF passed (aligned) in the receiver's evaluation.</summary>
    internal const string Fails = "(dkim != 'pass' AND spf != 'pass')";

    /// <summary>Mail from one of our senders (<see cref="OurSenders"/>).</summary>
    internal const string FromOurs = "arrayExists(n -> isIPAddressInRange(" + Ip + ", n), {our_senders:Array(String)})";

    /// <summary>Records about our domains: by header_from, else the policy domain.</summary>
    internal static readonly string AboutOurDomain = Sql.IsOurDomain("if(header_from != '', header_from, policy_domain)");

    /// <summary>Where our own mail leaves from, as networks: our internal networks and our relays' addresses.</summary>
    public static IReadOnlyList<string> OurSenders(OurEstate estate)
    {
        ArgumentNullException.ThrowIfNull(estate);
        return [.. estate.InternalNetworks, .. estate.RelayAddresses.Select(AsNetwork)];
    }

    /// <summary>The latest day any stored report covers; null when there are none.</summary>
    public async Task<DateOnly?> LatestDayAsync(CancellationToken cancellationToken)
    {
        var day = await store.QueryScalarAsync("SELECT if(count() = 0, '', toString(toDate(max(date_begin)))) FROM dmarc_records", cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(day) ? null : DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public async Task<DmarcDayView> ReadAsync(DateOnly day, OurEstate estate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(estate);
        var parameters = new Dictionary<string, string>
        {
            ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["our_domains"] = SqlText.QuoteArray(estate.ProtectedDomains),
            ["our_senders"] = SqlText.QuoteArray(OurSenders(estate)),
        };

        var forgers = await store.QueryListAsync(
            $$"""
            SELECT f.ip, f.messages, toJSONString(f.reporters), toJSONString(f.domains), toJSONString(f.dispositions), s.events, toJSONString(s.relays)
            FROM
            (
                SELECT {{Ip}} AS ip, sum(count) AS messages, arraySort(groupUniqArray(10)(reporter_org)) AS reporters,
                       arraySort(groupUniqArray(10)(header_from)) AS domains, arraySort(groupUniqArray(disposition)) AS dispositions
                FROM dmarc_records
                WHERE {{OnTheDay}} AND {{AboutOurDomain}} AND {{Fails}} AND NOT {{FromOurs}}
                GROUP BY ip
            ) AS f
            LEFT JOIN
            (
                SELECT replaceRegexpOne(IPv6NumToString(client_ip), '^::ffff:', '') AS ip, count() AS events, arraySort(groupUniqArray(10)(relay)) AS relays
                FROM smtp_events
                WHERE toDate(ts) = {day:Date} AND client_ip IN (SELECT source_ip FROM dmarc_records WHERE {{OnTheDay}})
                GROUP BY ip
            ) AS s ON f.ip = s.ip
            ORDER BY s.events > 0 DESC, f.messages DESC, f.ip
            """,
            parameters, cancellationToken).ConfigureAwait(false);

        var outbound = await store.QueryListAsync(
            $"""
            SELECT {Ip} AS ip, sum(count), sumIf(count, dkim != 'pass'), sumIf(count, spf != 'pass'), sumIf(count, {Fails}),
                   toJSONString(arraySort(groupUniqArray(10)(reporter_org))), toJSONString(arraySort(groupUniqArray(10)(header_from)))
            FROM dmarc_records
            WHERE {OnTheDay} AND {AboutOurDomain} AND {FromOurs}
            GROUP BY ip
            HAVING sumIf(count, dkim != 'pass' OR spf != 'pass') > 0
            ORDER BY sumIf(count, {Fails}) DESC, ip
            """,
            parameters, cancellationToken).ConfigureAwait(false);

        var domains = await store.QueryListAsync(
            $"""
            SELECT policy_domain, argMax(policy_p, date_begin), argMax(policy_pct, date_begin), sum(count),
                   sumIf(count, {FromOurs}), sumIf(count, {FromOurs} AND {Fails}),
                   sumIf(count, NOT {FromOurs} AND {Fails}), sumIf(count, NOT {FromOurs} AND {Fails} AND disposition = 'none')
            FROM dmarc_records
            WHERE {OnTheDay} AND {Sql.IsOurDomain("policy_domain")}
            GROUP BY policy_domain
            ORDER BY policy_domain
            """,
            parameters, cancellationToken).ConfigureAwait(false);

        var tls = await store.QueryListAsync(
            $"""
            SELECT policy_domain, result_type, sum(failed), toJSONString(arraySort(groupUniqArray(10)(reporter_org)))
            FROM tls_reports ARRAY JOIN result_types AS result_type, failed_session_counts AS failed
            WHERE {OnTheDay} AND {Sql.IsOurDomain("policy_domain")}
            GROUP BY policy_domain, result_type
            ORDER BY policy_domain, sum(failed) DESC, result_type
            """,
            parameters, cancellationToken).ConfigureAwait(false);

        return new DmarcDayView(
            day,
            [.. forgers.Select(r => new DmarcForger(r[0], Number(r[1]), List(r[2]), List(r[3]), List(r[4]), Number(r[5]), List(r[6])))],
            [.. outbound.Select(r => new DmarcOutboundFailure(r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), List(r[5]), List(r[6])))],
            [.. domains.Select(r => new DmarcDomainPolicy(r[0], r[1], byte.Parse(r[2], CultureInfo.InvariantCulture), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), Number(r[7])))],
            [.. tls.Select(r => new TlsFailureCount(r[0], r[1], Number(r[2]), List(r[3])))]);
    }

    private static string AsNetwork(string address) =>
        IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? address + "/32" : address + "/128";

    private static ulong Number(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>An array the query gave as JSON (attacker-written names survive any character that way).</summary>
    private static List<string> List(string json) => System.Text.Json.JsonSerializer.Deserialize<List<string>>(json) ?? [];
}
