using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>snowshoe</c>: spam spread thin over many clean addresses in unrelated networks, each sending too
/// little to stand out, so it shows only as a campaign. A campaign is a naming template, not an established
/// sender's, that many addresses new to us share on the day: the template of their reverse-DNS names
/// (<c>mta#.fastdeals-#.example</c>, digits made <c>#</c>; rule <c>host_template</c>) or, for addresses
/// not already in such a campaign, of their envelope senders (<c>offers@deal#.example</c>; rule
/// <c>sender_pattern</c>). Where the log has no reverse-DNS column (Exchange), a HELO that is a domain
/// name stands in for it. Three things keep the big legitimate pools out: every member must be new to
/// us (no row in the history), the template must not be an established sender's (one whose addresses
/// mostly came back on two days or more of the history, as a webmail pool's do; a snowshoe run's do not), and the members must sit in many /24s. A day without enough history to say what is
/// new finds nothing, and so does a run the relays mostly refused (it is stopped already, and the
/// per-address rules see its addresses). Null-sender mail (bounces) is left to backscatter. The subject is the template, so
/// the finding never reads as one attacker; the evidence lists every member address.
/// </summary>
internal sealed class Snowshoe(SnowshoeSettings settings) : Detector
{
    public override string Name => DetectorNames.Snowshoe;

    public override string Summary => "Snowshoe spam: many addresses new to us, in unrelated networks, sharing a naming template no established sender uses";

    public override int LookbackDays => settings.HistoryDays + 1;

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_members"] = settings.MinMembers.ToString(CultureInfo.InvariantCulture),
        ["min_networks"] = settings.MinNetworks.ToString(CultureInfo.InvariantCulture),
        ["min_history_days"] = settings.MinHistoryDays.ToString(CultureInfo.InvariantCulture),
        ["min_returning_share"] = settings.MinReturningShare.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A name with its digit runs made <c>#</c>: what a generator's names have in common.</summary>
    private static string Template(string column) => $"replaceRegexpAll(lower({column}), '[0-9]+', '#')";

    /// <summary>
    /// The name a client goes by: its reverse-DNS name, or where the log has no such column (Exchange) a
    /// HELO that is a dotted domain name; empty when it has neither.
    /// </summary>
    private const string HostName =
        "multiIf(client_host NOT IN ('', 'unknown'), client_host, client_host = '' AND match(helo, '^[A-Za-z0-9-]+(\\\\.[A-Za-z0-9-]+)+$') AND NOT isIPv4String(helo), helo, '')";

    private static readonly string HostTemplate = Template(HostName);
    private static readonly string SenderPattern = Template("mail_from");
    private const string Named = HostName + " != ''";

    // Every outside client of the window that is not authenticated: what it did on the day, and whether it was seen before.
    private static readonly string Senders = $"""
        SELECT
            {Sql.ClientIp} AS ip,
            any({Sql.ClientNetwork}) AS network,
            countIf(toDate(ts) < {"{day:Date}"}) AS earlier,
            countIf({Sql.OnTheDay} AND mail_from != '' AND event IN ('message', 'delivery', 'rcpt_reject', 'reject')) AS attempts,
            countIf({Sql.OnTheDay} AND event = 'message') AS messages,
            countIf({Sql.OnTheDay} AND event = 'delivery') AS delivered,
            countIf({Sql.OnTheDay} AND event IN ('rcpt_reject', 'reject')) AS refused,
            anyIf({HostTemplate}, {Sql.OnTheDay} AND {Named}) AS host_template,
            anyIf(lower({HostName}), {Sql.OnTheDay} AND {Named}) AS host,
            anyHeavyIf({SenderPattern}, {Sql.OnTheDay} AND mail_from != '') AS sender_pattern,
            anyHeavyIf(lower(mail_from), {Sql.OnTheDay} AND mail_from != '') AS sender,
            medianIf(size, {Sql.OnTheDay} AND event = 'message' AND size > 0) AS size,
            minIf(ts, {Sql.OnTheDay}) AS first_seen,
            maxIf(ts, {Sql.OnTheDay}) AS last_seen,
            groupUniqArrayIf(5)(relay, {Sql.OnTheDay}) AS relays
        FROM smtp_events
        WHERE {Sql.InTheWindow} AND {Sql.AtEdge} AND client_ip != toIPv6('::') AND sasl_user = '' AND NOT {Sql.ClientIsInternal}
        GROUP BY ip
        """;

    /// <summary>
    /// The templates of established senders: a good share of the addresses that sent under them in the
    /// history sent on two days or more. A webmail or newsletter pool keeps its addresses; a snowshoe run
    /// uses each once, so a run that comes back every day with fresh addresses stays new however often
    /// its naming was seen — and one address that a generator happens to reuse (or that an attacker
    /// sends from on two days to whitelist its naming) does not make a naming established.
    /// </summary>
    private static string Established(string template, string condition) => $"""
        SELECT t FROM
        (
            SELECT {template} AS t, client_ip, uniqExact(toDate(ts)) AS days
            FROM smtp_events
            WHERE {Sql.InTheWindow} AND toDate(ts) < {"{day:Date}"} AND {condition}
            GROUP BY t, client_ip
        )
        GROUP BY t
        HAVING countIf(days >= 2) >= greatest(1, {"{min_returning_share:Float64}"} * count())
        """;

    private static readonly string KnownHostTemplates = Established(HostTemplate, Named);

    private static readonly string KnownSenderPatterns = Established(SenderPattern, "mail_from != ''");

    private const string HistoryDays =
        "(SELECT uniqExact(toDate(ts)) FROM smtp_events WHERE " + Sql.InTheWindow + " AND toDate(ts) < {day:Date})";

    /// <summary>The campaigns of one kind of template: its new members, grouped, with what they did.</summary>
    private static string Campaigns(string rule, string key, string condition) => $"""
        SELECT
            '{rule}' AS rule,
            {key} AS pattern,
            arraySort(groupArray(ip)) AS members,
            uniqExact(network) AS networks,
            arraySort(groupUniqArray(5)(host)) AS sample_hosts,
            arraySort(groupUniqArray(5)(sender)) AS sample_senders,
            sum(attempts) AS attempt_count,
            sum(messages) AS message_count,
            sum(delivered) AS delivered_count,
            sum(refused) AS refused_count,
            toUInt64(ifNotFinite(median(size), 0)) AS median_size,
            min(first_seen) AS campaign_first_seen,
            max(last_seen) AS campaign_last_seen,
            arraySort(groupUniqArrayArray(5)(relays)) AS campaign_relays
        FROM new_senders
        WHERE {condition}
        GROUP BY pattern
        HAVING length(members) >= {"{min_members:UInt64}"} AND networks >= {"{min_networks:UInt64}"}
            -- Snowshoe is spam that gets in: a run the relays mostly refuse is already stopped, and its
            -- addresses are the per-address rules' (a botnet's shared HELO is not a snowshoe naming).
            AND refused_count * 2 <= attempt_count
        """;

    private const string EvidenceType =
        "Tuple(rule String, pattern String, member_count UInt64, networks UInt64, members Array(String), sample_hosts Array(String), "
        + "sample_senders Array(String), messages UInt64, delivered UInt64, refused UInt64, median_size UInt64, "
        + "first_seen_spread_minutes UInt64, relays Array(String))";

    public override string Query => $$"""
        WITH
            new_senders AS (SELECT * FROM ({{Senders}}) WHERE earlier = 0 AND attempts > 0 AND {{HistoryDays}} >= {min_history_days:UInt64}),
            by_host AS ({{Campaigns("host_template", "host_template", $"host_template != '' AND host_template NOT IN ({KnownHostTemplates})")}}),
            by_sender AS ({{Campaigns("sender_pattern", "sender_pattern",
                $"sender_pattern != '' AND sender_pattern NOT IN ({KnownSenderPatterns}) AND ip NOT IN (SELECT arrayJoin(members) FROM by_host)")}})
        SELECT
            pattern AS subject,
            if(length(members) >= 4 * {min_members:UInt64}, 'high', 'medium') AS severity,
            toFloat32(least(1, length(members) / (4 * {min_members:UInt64}))) AS score,
            campaign_first_seen AS first_seen,
            campaign_last_seen AS last_seen,
            attempt_count AS events,
            toJSONString(CAST(tuple(rule, pattern, length(members), networks, members, sample_hosts, sample_senders,
                message_count, delivered_count, refused_count, median_size,
                toUInt64(dateDiff('minute', campaign_first_seen, campaign_last_seen)), campaign_relays), '{{EvidenceType}}')) AS evidence
        FROM (SELECT * FROM by_host UNION ALL SELECT * FROM by_sender)
        """;
}
