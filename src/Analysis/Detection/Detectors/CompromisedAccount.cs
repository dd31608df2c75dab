using System.Globalization;

namespace RelayWatch.Analysis.Detection.Detectors;

/// <summary>
/// <c>compromised_account</c>: a login of ours turned spam source. Authentication is not an exemption:
/// an account whose password was stolen sends through our relays as its owner, and gets the relays
/// listed. A login is blamed when, on the day, its mail breaks from its own history in volume or
/// spread (recipients, recipient domains) and something else is off: it sends from client networks
/// it never used before, or much of what it sends is refused or bounces. A bulk sender that always
/// mailed that much, or a newsletter sent from its usual network that mostly arrives, is not.
/// The subject is the account; the evidence names the clients it used.
/// </summary>
internal sealed class CompromisedAccount(CompromisedAccountSettings settings) : Detector
{
    public override string Name => DetectorNames.CompromisedAccount;

    public override string Summary => "Compromised accounts: an authenticated sender whose volume, spread, client networks or failures break from its own history";

    public override int LookbackDays => settings.HistoryDays + 1;

    public override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["min_recipients"] = settings.MinRecipients.ToString(CultureInfo.InvariantCulture),
        ["min_domains"] = settings.MinDomains.ToString(CultureInfo.InvariantCulture),
        ["growth"] = settings.Growth.ToString(CultureInfo.InvariantCulture),
        ["min_failure_share"] = settings.MinFailureShare.ToString(CultureInfo.InvariantCulture),
    };

    // One row per login and day: what it sent, to how many recipients and domains, from which networks, and how much failed.
    private static readonly string PerDay = $"""
        SELECT
            sasl_user AS account,
            toDate(ts) AS d,
            countIf(event = 'message') AS day_messages,
            uniqExactIf(lower(rcpt_to), event != 'message') AS day_recipients,
            uniqExactIf({Sql.RcptDomain}, event != 'message') AS day_domains,
            countIf(event IN ('bounce', 'rcpt_reject')) AS day_failed,
            countIf(event != 'message') AS day_attempts,
            groupUniqArrayIf({Sql.ClientNetwork}, event = 'message') AS day_networks,
            groupUniqArrayIf(20)({Sql.ClientIp}, event = 'message') AS day_clients,
            groupUniqArrayIf(20)(lower(rcpt_to), event != 'message') AS day_sample_recipients,
            groupUniqArray(5)(relay) AS day_relays,
            min(ts) AS day_first_seen,
            max(ts) AS day_last_seen
        FROM smtp_events
        WHERE {Sql.InTheWindow} AND sasl_user != '' AND event IN ('message', 'delivery', 'defer', 'bounce', 'rcpt_reject')
        GROUP BY account, d
        """;

    private const string EvidenceType =
        "Tuple(rule String, account String, messages UInt64, recipients UInt64, domains UInt64, history_days UInt64, "
        + "history_max_recipients UInt64, history_max_domains UInt64, new_networks Array(String), clients Array(String), "
        + "failed UInt64, failure_share Float64, signals Array(String), sample_recipients Array(String), relays Array(String))";

    public override string Query => $$"""
        SELECT
            account AS subject,
            if(recipients >= 10 * {min_recipients:UInt64}, 'critical', 'high') AS severity,
            toFloat32(length(signals) / 4) AS score,
            first_seen, last_seen, messages AS events,
            toJSONString(CAST(tuple('break_from_history', account, messages, recipients, domains, history_days, history_max_recipients,
                history_max_domains, new_networks, clients, failed, round(failure_share, 3), signals, arraySort(sample_recipients), arraySort(relays)),
                '{{EvidenceType}}')) AS evidence
        FROM
        (
            SELECT *,
                arrayFilter(s -> s != '', [
                    if(recipients >= greatest(toFloat64({min_recipients:UInt64}), {growth:Float64} * history_max_recipients), 'volume', ''),
                    if(domains >= greatest(toFloat64({min_domains:UInt64}), {growth:Float64} * history_max_domains), 'spread', ''),
                    if(history_days > 0 AND length(new_networks) > 0, 'new_networks', ''),
                    if(attempts >= {min_domains:UInt64} AND failure_share >= {min_failure_share:Float64}, 'failures', '')]) AS signals
            FROM
            (
                SELECT
                    account,
                    sumIf(day_messages, d = {day:Date}) AS messages,
                    sumIf(day_recipients, d = {day:Date}) AS recipients,
                    sumIf(day_domains, d = {day:Date}) AS domains,
                    sumIf(day_failed, d = {day:Date}) AS failed,
                    sumIf(day_attempts, d = {day:Date}) AS attempts,
                    if(attempts = 0, 0, failed / attempts) AS failure_share,
                    countIf(d < {day:Date}) AS history_days,
                    maxIf(day_recipients, d < {day:Date}) AS history_max_recipients,
                    maxIf(day_domains, d < {day:Date}) AS history_max_domains,
                    arraySort(arrayFilter(n -> NOT has(groupUniqArrayArrayIf(day_networks, d < {day:Date}), n), groupUniqArrayArrayIf(day_networks, d = {day:Date}))) AS new_networks,
                    groupUniqArrayArrayIf(20)(day_clients, d = {day:Date}) AS clients,
                    groupUniqArrayArrayIf(20)(day_sample_recipients, d = {day:Date}) AS sample_recipients,
                    groupUniqArrayArrayIf(5)(day_relays, d = {day:Date}) AS relays,
                    minIf(day_first_seen, d = {day:Date}) AS first_seen,
                    maxIf(day_last_seen, d = {day:Date}) AS last_seen
                FROM ({{PerDay}})
                GROUP BY account
                HAVING messages > 0
            )
        )
        WHERE (has(signals, 'volume') OR has(signals, 'spread')) AND (has(signals, 'new_networks') OR has(signals, 'failures'))
        """;
}
