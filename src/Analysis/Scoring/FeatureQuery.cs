using System.Globalization;
using System.Runtime.CompilerServices;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// Computes <see cref="FeatureCatalog"/> for every external address seen on a day, in one ClickHouse
/// query over <c>smtp_events</c> and <c>findings</c>: per-address aggregates, its network's, and its
/// history before the day. Addresses that are ours (private space, our mail servers, configured
/// internal networks) are never scored.
/// </summary>
public static class FeatureQuery
{
    private const string HeloIsLiteral = @"(match(last_helo, '^\\[.*\\]$') OR isIPv4String(last_helo) OR isIPv6String(last_helo))";

    /// <summary>
    /// The network features' steps (<see cref="FeatureCatalog.Network"/>): every external sender of the
    /// <see cref="FeatureCatalog.NetworkHistoryDays"/> days before the day, by its autonomous system, and which of
    /// them were flagged on those days (a finding naming the address or its /24 or /48, or a DNS-blocklist refusal).
    /// Only days before the scored one: what the AS does on the day itself is not known until the day is over.
    /// </summary>
    private static readonly string NetworkSteps = $$"""
            as_flagged AS
            (
                SELECT DISTINCT subject
                FROM findings
                WHERE day BETWEEN {as_start:Date} AND {day_before:Date}
            ),
            as_prior_senders AS
            (
                SELECT
                    ip,
                    dictGet('{{NetworkContextStore.Dictionary}}', 'asn', any(client_ip)) AS asn,
                    max(event = 'dnsbl' OR (event IN ('rcpt_reject', 'reject') AND reason = 'rbl'))
                        OR ip IN (SELECT subject FROM as_flagged) OR network IN (SELECT subject FROM as_flagged) AS bad
                FROM
                (
                    SELECT {{Detection.Sql.ClientIp}} AS ip, {{Detection.Sql.ClientNetwork}} AS network, client_ip, event, reason
                    FROM smtp_events
                    WHERE toDate(ts) BETWEEN {as_start:Date} AND {day_before:Date}
                      AND client_ip != toIPv6('::') AND NOT {{Detection.Sql.ClientIsInternal}}
                )
                GROUP BY ip, network
            ),
            as_history AS
            (
                SELECT asn, count() AS as_senders, countIf(bad) AS as_bad
                FROM as_prior_senders
                WHERE asn != 0
                GROUP BY asn
            ),
            located AS
            (
                SELECT
                    *,
                    dictGet('{{NetworkContextStore.Dictionary}}', 'asn', address) AS asn,
                    dictGet('{{NetworkContextStore.Dictionary}}', 'organisation', address) AS as_organisation
                FROM campaign
            ),
        """;

    // After NetworkSteps: static fields are initialised in the order they are written.
    private static readonly string Sql = Build(network: false);

    private static readonly string NetworkSql = Build(network: true);

    private static string Build(bool network) => $$"""
        WITH
            day_rows AS
            (
                SELECT {{Detection.Sql.ClientIp}} AS ip, {{Detection.Sql.ClientNetwork}} AS network, client_ip,
                       event, reason, helo, client_host, mail_from, rcpt_to, size, sasl_user, detail, ts
                FROM smtp_events
                WHERE {{Detection.Sql.OnTheDay}} AND client_ip != toIPv6('::') AND NOT {{Detection.Sql.ClientIsInternal}}
            ),
            per_ip AS
            (
                SELECT
                    ip,
                    any(network) AS network,
                    greatest(countIf(event = 'connect'), countIf(event = 'disconnect'), 1) AS sessions,
                    countIf(event = 'disconnect') AS disconnects,
                    countIf(event = 'message') AS messages,
                    sumIf({{Detection.Sql.AcceptedRcptCommands}}, event = 'disconnect') + countIf(event = 'rcpt_reject') AS attempts,
                    countIf(event = 'rcpt_reject') AS rejected_rcpts,
                    countIf(event = 'reject') AS stage_rejects,
                    countIf(event = 'rcpt_reject' AND reason = 'user_unknown') AS unknown_rcpts,
                    countIf(event IN ('rcpt_reject', 'reject') AND reason = 'relay_denied') AS relay_denied,
                    countIf(event = 'dnsbl' OR (event IN ('rcpt_reject', 'reject') AND reason = 'rbl')) AS rbl_hits,
                    uniqExactIf({{Detection.Sql.RcptDomain}}, rcpt_to != '') AS rcpt_domains,
                    uniqExactIf({{Detection.Sql.SenderDomain}}, mail_from != '') AS sender_domains,
                    countIf(event = 'message' AND mail_from = '') AS null_sender_messages,
                    argMaxIf(helo, ts, helo != '') AS last_helo,
                    anyIf(client_host, client_host != '') AS host,
                    uniqExact(toHour(ts)) AS active_hours,
                    avgIf(size, event = 'message') AS mean_size,
                    maxIf(size, event = 'message') AS max_size,
                    countIf(event = 'disconnect' AND match(detail, '(^| )starttls=[1-9]')) AS tls_sessions,
                    countIf(event = 'auth_failure') AS auth_failures,
                    countIf(event = 'message' AND sasl_user != '') AS authenticated_messages,
                    countIf(event = 'lost_connection') AS lost_connections,
                    countIf(event IN ('pipelining', 'pregreet')) AS pipelining,
                    countIf(event IN ('too_many_errors', 'non_smtp', 'timeout')) AS protocol_errors,
                    countIf(event = 'spf') AS spf_checks,
                    countIf(event = 'spf' AND reason IN ('fail', 'softfail')) AS spf_failures,
                    min(ts) AS first_ts,
                    lower(argMaxIf(mail_from, ts, mail_from != '')) AS last_sender,
                    any(client_ip) AS address
                FROM day_rows
                GROUP BY ip
            ),
            -- How it introduced itself and what its network did (a separate step: the analyzer cannot
            -- reuse an aggregate's alias inside the SELECT that computes it).
            enriched AS
            (
                SELECT
                    *,
                    {{HeloIsLiteral}} AS helo_ip_literal,
                    last_helo != '' AND position(last_helo, '.') = 0 AND NOT helo_ip_literal AS helo_bare_word,
                    last_helo != '' AND NOT helo_ip_literal
                        AND (match(lower(last_helo), '(^|[.-])([a-z]+[0-9]+[a-z]+[0-9a-z]*|[0-9]+[a-z]+[0-9]+[0-9a-z]*)([.-]|$)')
                             OR match(lower(last_helo), '\\.(local|localdomain|lan|home)$')) AS helo_random,
                    last_helo != '' AND lower(last_helo) = lower(host) AS helo_matches_rdns,
                    host = 'unknown' AS rdns_missing,
                    host NOT IN ('', 'unknown')
                        AND match(lower(host), '(^|[.-])(dyn|dynamic|dsl|adsl|pool|dhcp|cable|ppp|broadband|dial|dialup|client|customer)([.-]|[0-9]|$)|[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}') AS rdns_dynamic,
                    count() OVER by_network AS network_ips,
                    sum(unknown_rcpts) OVER by_network AS network_unknown,
                    sum(attempts) OVER by_network AS network_attempts
                FROM per_ip
                WINDOW by_network AS (PARTITION BY network)
            ),
            history AS
            (
                SELECT {{Detection.Sql.ClientIp}} AS ip, uniqExact(toDate(ts)) AS days_seen
                FROM smtp_events
                WHERE toDate(ts) BETWEEN {history_start:Date} AND {day_before:Date}
                  AND event IN ('connect', 'message', 'rcpt_reject', 'dnsbl')
                  AND client_ip IN (SELECT client_ip FROM day_rows)
                GROUP BY ip
            ),
            flagged AS
            (
                SELECT subject, count() AS findings
                FROM findings
                WHERE day BETWEEN {history_start:Date} AND {day_before:Date}
                GROUP BY subject
            ),
            -- Campaign features (issue 17): what the addresses new to us that day have in common. Snowshoe
            -- spam and very slow harvests are invisible address by address; a naming template, a sender
            -- pattern or a message shape shared by new addresses across many unrelated networks is not.
            -- Only non-bounce senders take part: a backscatter wave's servers are new, many and alike too.
            shaped AS
            (
                SELECT
                    enriched.*,
                    history.days_seen AS days_seen,
                    days_seen = 0 AND last_sender != '' AS is_new,
                    replaceRegexpAll(
                        multiIf(host NOT IN ('', 'unknown'), lower(host),
                                position(last_helo, '.') > 0 AND NOT helo_ip_literal, lower(last_helo), ''),
                        '[0-9]+', '#') AS host_template,
                    replaceRegexpAll(last_sender, '[0-9]+', '#') AS sender_template,
                    splitByChar('@', last_sender)[-1] AS sender_domain,
                    if(messages = 0, '', concat(toString(round(log2(greatest(mean_size, 1)) * 8)), '@', toString(toHour(first_ts)))) AS shape_key
                FROM enriched
                LEFT JOIN history USING (ip)
            ),
            campaign AS
            (
                SELECT
                    *,
                    if(host_template = '' OR NOT is_new, 0, uniqExactIf(network, is_new) OVER (PARTITION BY host_template)) AS template_new_networks,
                    if(last_sender = '' OR NOT is_new, 0, uniqExactIf(network, is_new) OVER (PARTITION BY sender_template)) AS sender_pattern_new_networks,
                    if(shape_key = '' OR NOT is_new, 0, uniqExactIf(network, is_new) OVER (PARTITION BY shape_key)) AS shape_new_networks,
                    sum(unknown_rcpts) OVER (PARTITION BY sender_domain) AS sender_domain_unknown,
                    sum(attempts) OVER (PARTITION BY sender_domain) AS sender_domain_attempts
                FROM shaped
            ),
            -- Unknown recipients that other networks also tried, in the week up to the day: a harvest's
            -- dictionary is shared by its members, a sender's typo is its own.
            unknown_week AS
            (
                SELECT lower(rcpt_to) AS rcpt, uniqExact({{Detection.Sql.ClientNetwork}}) AS networks
                FROM smtp_events
                WHERE toDate(ts) BETWEEN {week_start:Date} AND {day:Date}
                  AND event = 'rcpt_reject' AND reason = 'user_unknown' AND client_ip != toIPv6('::') AND NOT {{Detection.Sql.ClientIsInternal}}
                GROUP BY rcpt
            ),
            shared_unknown AS
            (
                SELECT ip, uniqExactIf(rcpt, networks >= 2) / uniqExact(rcpt) AS unknown_shared
                FROM (SELECT ip, lower(rcpt_to) AS rcpt FROM day_rows WHERE event = 'rcpt_reject' AND reason = 'user_unknown') AS mine
                INNER JOIN unknown_week USING (rcpt)
                GROUP BY ip
            ){{(network ? ",\n" + NetworkSteps.TrimEnd().TrimEnd(',') : string.Empty)}}
        SELECT
            ip, network, last_helo, host,
            {{string.Join(",\n    ", FeatureCatalog.For(network).Select(f => $"toFloat32({f.Sql})"))}}{{(network ? ",\n    if(asn = 0, '', concat('AS', toString(asn), if(as_organisation = '', '', concat(' ', as_organisation))))" : string.Empty)}}
        FROM {{(network ? "located LEFT JOIN as_history USING (asn)" : "campaign")}}
        LEFT JOIN shared_unknown USING (ip)
        LEFT JOIN (SELECT subject AS ip, findings AS address_findings FROM flagged) AS by_address USING (ip)
        LEFT JOIN (SELECT subject AS network, findings AS network_findings FROM flagged) AS by_network USING (network)
        ORDER BY ip
        """;

    /// <summary>The features (<see cref="FeatureCatalog.All"/>) of every external address seen on <paramref name="day"/>, ordered by address.</summary>
    public static IAsyncEnumerable<IpFeatureRow> ReadAsync(IClickHouseStore store, OurEstate estate, DateOnly day, CancellationToken cancellationToken) =>
        ReadAsync(store, estate, day, network: false, cancellationToken);

    /// <summary>
    /// The features of every external address seen on <paramref name="day"/>, ordered by address: <see cref="FeatureCatalog.All"/>,
    /// and with <paramref name="network"/> the network features after them (0 where no network context is loaded).
    /// </summary>
    public static async IAsyncEnumerable<IpFeatureRow> ReadAsync(
        IClickHouseStore store, OurEstate estate, DateOnly day, bool network, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(estate);
        if (network)
        {
            // The dictionary is made by the first context load; a store that never loaded any has none to look up.
            await new NetworkContextStore(store).EnsureDictionaryAsync(cancellationToken).ConfigureAwait(false);
        }

        var parameters = new Dictionary<string, string>
        {
            ["day"] = Date(day),
            ["day_before"] = Date(day.AddDays(-1)),
            ["history_start"] = Date(day.AddDays(-FeatureCatalog.HistoryDays)),
            ["week_start"] = Date(day.AddDays(-6)),
            ["internal_networks"] = SqlText.QuoteArray(estate.InternalNetworks),
        };
        if (network)
        {
            parameters["as_start"] = Date(day.AddDays(-FeatureCatalog.NetworkHistoryDays));
        }

        var count = FeatureCatalog.For(network).Count;
        await foreach (var row in store.QueryRowsAsync(network ? NetworkSql : Sql, parameters, cancellationToken).ConfigureAwait(false))
        {
            var values = new float[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = float.Parse(row[4 + i], NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            yield return new IpFeatureRow(day, row[0], row[1], row[2], row[3], values) { AsName = network ? row[4 + count] : string.Empty };
        }
    }

    /// <summary>The features of each day from <paramref name="first"/> to <paramref name="last"/>, resolving what is ours per day.</summary>
    public static Task<List<IpFeatureRow>> ReadDaysAsync(
        IClickHouseStore store, EstateSettings estate, DateOnly first, DateOnly last, CancellationToken cancellationToken) =>
        ReadDaysAsync(store, estate, first, last, network: false, cancellationToken);

    /// <summary>The features of each day from <paramref name="first"/> to <paramref name="last"/>, with <paramref name="network"/> the network features too.</summary>
    public static async Task<List<IpFeatureRow>> ReadDaysAsync(
        IClickHouseStore store, EstateSettings estate, DateOnly first, DateOnly last, bool network, CancellationToken cancellationToken)
    {
        var rows = new List<IpFeatureRow>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var ours = await EstateResolver.ResolveAsync(store, estate, day, cancellationToken).ConfigureAwait(false);
            await foreach (var row in ReadAsync(store, ours, day, network, cancellationToken).ConfigureAwait(false))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
