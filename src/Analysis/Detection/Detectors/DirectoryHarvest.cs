using System.Globalization;
using RelayWatch.Analysis.Context;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>dha</c>: directory harvest. Two rules over user-unknown rejections, each weighed against the
/// recipients the same client had accepted, so an ordinary sender's typo never counts:
/// <c>per_ip</c>, many unknown recipients from one address in a day; and <c>network</c>, a
/// low-and-slow campaign spread over a /24 or /48 that only shows when its members are added up
/// over several days (the network is blamed and every member listed); and <c>shared_dictionary</c>,
/// quiet harvesters scattered over unrelated networks that try the same unknown recipients: each
/// member IP is blamed, with the campaign's members and dictionary as evidence. Bounce-shaped
/// null-sender attempts (<see cref="Sql.BounceShaped"/>) never count in any rule: an unknown
/// recipient of a bounce is the forged sender of somebody else's spam, evidence of backscatter
/// (the <c>backscatter</c> detector's wave), not of harvesting by the server that bounces. A client
/// whose null-sender sessions try several recipients still counts: no bounce does that. The evidence
/// says how many bounce-shaped attempts were left out. <c>per_ip</c> judges an address of a sender
/// pool (a /24 or /48 under one reverse-DNS domain) by its pool's share of unknown recipients, so a
/// legitimate bulk sender's stale list is not a harvest of the pool address that drew the worst slice.
/// </summary>
internal sealed class DirectoryHarvest(DhaSettings settings) : Detector
{
    public override string Name => DetectorNames.DirectoryHarvest;

    public override string Summary => "Directory harvest: many recipients tried that do not exist, from one IP, spread over a /24 or /48, or over one AS's networks";

    public override int LookbackDays => settings.NetworkWindowDays;

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_unknown"] = settings.MinUnknownRecipients.ToString(CultureInfo.InvariantCulture),
        ["min_ratio"] = settings.MinUnknownRatio.ToString(CultureInfo.InvariantCulture),
        ["high_unknown"] = settings.HighUnknownRecipients.ToString(CultureInfo.InvariantCulture),
        ["min_network_unknown"] = settings.MinNetworkUnknownRecipients.ToString(CultureInfo.InvariantCulture),
        ["min_members"] = settings.MinNetworkMembers.ToString(CultureInfo.InvariantCulture),
        ["max_member_share"] = settings.MaxNetworkMemberShare.ToString(CultureInfo.InvariantCulture),
        ["min_dictionary_members"] = settings.MinDictionaryMembers.ToString(CultureInfo.InvariantCulture),
        ["min_dictionary_words"] = settings.MinDictionaryWords.ToString(CultureInfo.InvariantCulture),
        ["min_pool_members"] = settings.MinPoolMembers.ToString(CultureInfo.InvariantCulture),
        ["min_as_members"] = settings.MinAsMembers.ToString(CultureInfo.InvariantCulture),
        ["min_as_networks"] = settings.MinAsNetworks.ToString(CultureInfo.InvariantCulture),
        ["min_as_member_unknown"] = settings.MinAsMemberUnknown.ToString(CultureInfo.InvariantCulture),
    };

    // Rows about recipients, one client at a time: the unknown ones, the delivered ones, and the
    // accepted-RCPT counts of disconnects (Postfix does not log a recipient accepted without DATA).
    // An unknown recipient of a bounce-shaped transaction is not a harvest attempt (bounce_row).
    private const string RecipientRows = $"""
        SELECT
            {Sql.ClientIp} AS ip,
            {Sql.ClientNetwork} AS network,
            {Sql.ReverseDnsDomain} AS rdns_domain,
            lower(rcpt_to) AS rcpt,
            splitByChar('@', rcpt)[1] AS local_part,
            event = 'rcpt_reject' AND reason = 'user_unknown' AND NOT bounce_shaped AS unknown_row,
            event = 'rcpt_reject' AND reason = 'user_unknown' AND bounce_shaped AS bounce_row,
            mail_from = '' AS null_sender,
            if(event = 'disconnect', {Sql.AcceptedRcptCommands}, 0) AS accepted_commands,
            event, session_id, relay, helo, ts
        FROM
        (
            SELECT *, {Sql.BounceShaped} AS bounce_shaped
            FROM smtp_events
            WHERE %WHEN% AND (event = 'rcpt_reject' AND reason = 'user_unknown' OR event IN ('delivery', 'disconnect'))
              AND NOT {Sql.ClientIsInternal}
            {Sql.SessionWindow}
        )
        """;

    // Per client: what it tried and what it got.
    private const string PerClient = """
        SELECT
            ip,
            any(network) AS network,
            anyIf(rdns_domain, rdns_domain != '') AS rdns_domain,
            uniqExactIf(rcpt, unknown_row) AS unknown,
            countIf(unknown_row) AS attempts,
            uniqExactIf(rcpt, event = 'delivery') AS delivered,
            sum(accepted_commands) AS accepted,
            greatest(delivered, accepted) AS valid,
            uniqExactIf(session_id, unknown_row) AS sessions,
            groupUniqArrayIf(20)(rcpt, event = 'delivery') AS exposed,
            accepted - least(accepted, delivered) AS exposed_unlogged,
            uniqExactIf(rcpt, unknown_row AND match(local_part, '^[a-z]+$')) AS dictionary_words,
            uniqExactIf(rcpt, unknown_row AND match(local_part, '^[a-z]+[._-][a-z]+$')) AS name_permutations,
            groupUniqArrayIf(rcpt, unknown_row) AS unknown_recipients,
            arraySort(groupUniqArrayIf(5)(relay, unknown_row)) AS relays,
            groupUniqArrayIf(5)(helo, unknown_row AND helo != '') AS helos,
            groupUniqArrayIf(toDate(ts), unknown_row) AS days,
            countIf(unknown_row AND toDate(ts) = {day:Date}) AS attempts_on_the_day,
            minIf(ts, unknown_row) AS first_seen,
            maxIf(ts, unknown_row) AS last_seen,
            countIf(bounce_row) AS bounce_shaped,
            countIf(unknown_row AND null_sender) AS null_sender_unknown
        FROM (%ROWS%)
        GROUP BY ip
        """;

    // What a campaign's members add up to (a network's, or an AS's): the network and as_campaign rules' shared totals.
    private const string CampaignTotals = """
        uniqExactArray(unknown_recipients) AS c_unknown,
        sum(attempts) AS c_attempts,
        sum(valid) AS c_valid,
        sum(sessions) AS c_sessions,
        arraySlice(groupUniqArrayArray(exposed), 1, 20) AS c_exposed,
        sum(exposed_unlogged) AS c_exposed_unlogged,
        sum(dictionary_words) AS c_dictionary_words,
        sum(name_permutations) AS c_name_permutations,
        arraySlice(groupUniqArrayArray(unknown_recipients), 1, 200) AS c_sample,
        arraySort(groupUniqArrayArray(5)(relays)) AS c_relays,
        groupUniqArrayArray(5)(helos) AS c_helos,
        uniqExactArray(days) AS c_days_active,
        count() AS c_members_count,
        arraySort(groupArray(200)(ip)) AS c_members,
        max(unknown) AS c_busiest_member,
        sum(attempts_on_the_day) AS c_attempts_on_the_day,
        min(first_seen) AS c_first_seen,
        max(last_seen) AS c_last_seen,
        sum(bounce_shaped) AS c_bounce_shaped
        """;

    // A campaign worth naming: active on the day, enough unknown recipients, mostly unknown, and no single member
    // carrying most of it (that member is per_ip's, not a campaign).
    private const string IsACampaign = """
        c_attempts_on_the_day > 0
          AND c_unknown >= {min_network_unknown:UInt64}
          AND c_unknown >= {min_ratio:Float64} * (c_unknown + c_valid)
          AND c_busiest_member <= {max_member_share:Float64} * c_unknown
        """;

    private const string AsEvidenceType =
        "Tuple(rule String, asn UInt32, organisation String, country String, unknown_recipients UInt64, unknown_attempts UInt64, accepted_recipients UInt64, "
        + "sessions UInt64, exposed_mailboxes Array(String), exposed_unlogged UInt64, dictionary_words UInt64, name_permutations UInt64, "
        + "sample_unknown Array(String), relays Array(String), helos Array(String), days_active UInt64, member_count UInt64, members Array(String), "
        + "network_count UInt64, networks Array(String), bounce_shaped_left_out UInt64)";

    private const string EvidenceType =
        "Tuple(rule String, unknown_recipients UInt64, unknown_attempts UInt64, accepted_recipients UInt64, sessions UInt64, "
        + "exposed_mailboxes Array(String), exposed_unlogged UInt64, dictionary_words UInt64, name_permutations UInt64, "
        + "sample_unknown Array(String), relays Array(String), helos Array(String), days_active UInt64, member_count UInt64, members Array(String), "
        + "bounce_shaped_left_out UInt64)";

    public override string Query => $$"""
        SELECT
            ip AS subject,
            if(unknown >= {high_unknown:UInt64}, 'high', 'medium') AS severity,
            toFloat32(unknown / (unknown + valid)) AS score,
            first_seen, last_seen, attempts AS events,
            toJSONString(CAST(tuple('per_ip', unknown, attempts, valid, sessions, exposed, exposed_unlogged, dictionary_words,
                name_permutations, arraySlice(arraySort(unknown_recipients), 1, 20), relays, helos, length(days), toUInt64(1), [ip], bounce_shaped), '{{EvidenceType}}')) AS evidence
        FROM
        (
            -- An address of a sender pool (its /24 or /48 under one reverse-DNS domain, with at least
            -- min_pool_members addresses sending that day) is judged with its pool: a newsletter run
            -- over a stale list spreads its unknown recipients over the pool, and one address's slice
            -- may be mostly stale while the pool's mail mostly lands. A harvester is judged alone.
            SELECT *,
                sum(unknown) OVER pool AS pool_unknown,
                sum(valid) OVER pool AS pool_valid,
                count() OVER pool AS pool_members
            FROM ({{PerClientOn(Sql.OnTheDay)}})
            WINDOW pool AS (PARTITION BY network, rdns_domain)
        )
        WHERE unknown >= {min_unknown:UInt64} AND unknown >= {min_ratio:Float64} * (unknown + valid)
          AND (rdns_domain = '' OR pool_members < {min_pool_members:UInt64} OR pool_unknown >= {min_ratio:Float64} * (pool_unknown + pool_valid))

        UNION ALL

        SELECT
            network AS subject,
            if(c_unknown >= {high_unknown:UInt64}, 'high', 'medium') AS severity,
            toFloat32(c_unknown / (c_unknown + c_valid)) AS score,
            c_first_seen AS first_seen, c_last_seen AS last_seen, c_attempts AS events,
            toJSONString(CAST(tuple('network', c_unknown, c_attempts, c_valid, c_sessions, c_exposed, c_exposed_unlogged, c_dictionary_words,
                c_name_permutations, arraySlice(arraySort(c_sample), 1, 20), c_relays, c_helos, c_days_active, c_members_count, c_members, c_bounce_shaped), '{{EvidenceType}}')) AS evidence
        FROM
        (
            {{NetworkCampaigns}}
        )
        WHERE {{IsANetworkCampaign}}

        UNION ALL

        SELECT
            ip AS subject,
            'medium' AS severity,
            toFloat32(unknown / (unknown + valid)) AS score,
            first_seen, last_seen, attempts AS events,
            toJSONString(CAST(tuple('shared_dictionary', unknown, attempts, valid, sessions, exposed, exposed_unlogged, dictionary_words,
                name_permutations, arraySlice(arraySort(dictionary), 1, 20), relays, helos, length(days), campaign_size, arraySort(campaign), bounce_shaped), '{{EvidenceType}}')) AS evidence
        FROM
        (
            SELECT *, count() OVER () AS campaign_size, groupArray(200)(ip) OVER () AS campaign
            FROM
            (
                SELECT *
                FROM ({{QuietHarvesters}}) AS q
                CROSS JOIN ({{SharedDictionary}}) AS shared
                WHERE hasAny(q.unknown_recipients, shared.dictionary)
            )
        )
        WHERE attempts_on_the_day > 0
          AND campaign_size >= {min_dictionary_members:UInt64}
          AND length(dictionary) >= {min_dictionary_words:UInt64}

        UNION ALL

        -- as_campaign: one harvest spread over many /24s (or /48s) of one autonomous system, that no other rule
        -- names. Only with network context loaded (every address is AS 0 without it). Sharing an AS is not enough — a webmail or cloud
        -- provider's AS holds thousands of unrelated senders — so a member must carry a harvest's signature on its
        -- own: it guessed (at least min_as_member_unknown distinct unknown recipients, at min_ratio of what it
        -- tried) and never had a message delivered in the window: it probed recipients and left, as no
        -- legitimate sender, however stale its list, does.
        SELECT
            concat('AS', toString(asn)) AS subject,
            if(c_unknown >= {high_unknown:UInt64}, 'high', 'medium') AS severity,
            toFloat32(c_unknown / (c_unknown + c_valid)) AS score,
            c_first_seen AS first_seen, c_last_seen AS last_seen, c_attempts AS events,
            toJSONString(CAST(tuple('as_campaign', asn, c_organisation, c_country, c_unknown, c_attempts, c_valid, c_sessions, c_exposed, c_exposed_unlogged,
                c_dictionary_words, c_name_permutations, arraySlice(arraySort(c_sample), 1, 20), c_relays, c_helos, c_days_active, c_members_count, c_members,
                c_network_count, c_networks, c_bounce_shaped), '{{AsEvidenceType}}')) AS evidence
        FROM
        (
            SELECT
                asn,
                any(organisation) AS c_organisation,
                any(country) AS c_country,
                uniqExact(network) AS c_network_count,
                arraySort(groupUniqArray(200)(network)) AS c_networks,
                {{CampaignTotals}}
            FROM
            (
                -- Members: what the other rules leave — quiet harvesters (below per_ip, in a network with too few
                -- harvesting neighbours for the network rule) that tried no word of the shared dictionary.
                SELECT q.*,
                    dictGet('{{NetworkContextStore.Dictionary}}', 'asn', toIPv6(q.ip)) AS asn,
                    dictGet('{{NetworkContextStore.Dictionary}}', 'organisation', toIPv6(q.ip)) AS organisation,
                    dictGet('{{NetworkContextStore.Dictionary}}', 'country', toIPv6(q.ip)) AS country
                FROM ({{QuietHarvesters}}) AS q
                CROSS JOIN ({{SharedDictionary}}) AS shared
                -- A client that sent null-sender mail under a mail server's name (reverse DNS, or bounces elsewhere
                -- in the window) is a server bouncing a backscatter wave — two bounces in one session are not
                -- bounce-shaped to the session count — never a prober.
                WHERE q.unknown >= {min_as_member_unknown:UInt64} AND q.delivered = 0 AND NOT hasAny(q.unknown_recipients, shared.dictionary)
                  AND NOT (q.null_sender_unknown > 0 AND (q.rdns_domain != '' OR q.bounce_shaped > 0))
                  -- A harvester guesses addresses that could exist: at least half its unknown recipients are words
                  -- or names (admin, anna, anna.berg). A server auto-replying to the forged senders of a spam run
                  -- answers made-up local parts (qx7f231, jsmith42, anna1234).
                  AND (q.dictionary_words + q.name_permutations) * 2 >= q.unknown
            )
            WHERE asn != 0
            GROUP BY asn
        )
        WHERE {{IsACampaign}} AND c_members_count >= {min_as_members:UInt64} AND c_network_count >= {min_as_networks:UInt64}
        """;

    // The local parts of our real mailboxes: recipients in our domains that mail was delivered to in the window.
    private static readonly string Mailboxes = $"""
        SELECT groupUniqArray(splitByChar('@', {Sql.OriginalRecipient})[1])
        FROM smtp_events
        WHERE {Sql.InTheWindow} AND event = 'delivery' AND {Sql.IsOurDomain(Sql.DomainOf(Sql.OriginalRecipient))}
        """;

    // The dictionary: unknown recipients that quiet harvesters in two networks or more tried, less the typos of
    // real mailboxes (a common slip, such as carolgreen for carol.green, is made by unrelated senders too).
    private static string SharedDictionary => $$"""
        SELECT groupArray(word) AS dictionary
        FROM
        (
            SELECT word FROM (SELECT arrayJoin(unknown_recipients) AS word, network FROM ({{QuietHarvesters}}))
            GROUP BY word
            HAVING uniqExact(network) >= 2
        )
        WHERE NOT arrayExists(
            mailbox -> editDistance(splitByChar('@', word)[1], mailbox) <= if(length(mailbox) >= 8, 2, 1),
            ({{Mailboxes}}))
        """;

    // Every network's harvesting clients of the window, added up: what the network rule judges.
    private static string NetworkCampaigns => $$"""
        SELECT network, {{CampaignTotals}}
        FROM ({{PerClientOn(Sql.InTheWindow)}})
        WHERE unknown > 0
        GROUP BY network
        """;

    private const string IsANetworkCampaign = $"{IsACampaign} AND c_members_count >= {{min_members:UInt64}}";

    // Harvesting clients of the window that no other rule blames: too few unknown recipients for per_ip, in a
    // network the network rule does not name (a lone harvester, or a few whose network adds up to too little:
    // three servers of a provider's /24 trying four names each are the AS-wide campaign's, or nobody's).
    private static string QuietHarvesters => $$"""
        SELECT *
        FROM ({{PerClientOn(Sql.InTheWindow)}})
        WHERE unknown > 0 AND unknown < {min_unknown:UInt64} AND unknown >= {min_ratio:Float64} * (unknown + valid)
          AND network NOT IN (SELECT network FROM ({{NetworkCampaigns}}) WHERE {{IsANetworkCampaign}})
        """;

    private static string PerClientOn(string when) =>
        PerClient.Replace("%ROWS%", RecipientRows.Replace("%WHEN%", when, StringComparison.Ordinal), StringComparison.Ordinal);
}
