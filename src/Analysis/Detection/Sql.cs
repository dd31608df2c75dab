namespace RelayWatch.Analysis.Detection;

/// <summary>
/// SQL expressions every detector shares, over <c>smtp_events</c> columns and the parameters that
/// <see cref="DetectionContext.Parameters"/> binds: <c>{day:Date}</c>, <c>{our_domains:Array(String)}</c>,
/// <c>{internal_networks:Array(String)}</c>. Plain ClickHouse SQL, the same on both engines.
/// </summary>
public static class Sql
{
    /// <summary>The client address as canonical text: <c>203.0.113.7</c>, <c>2001:db8::1</c>.</summary>
    public const string ClientIp = "replaceRegexpOne(IPv6NumToString(client_ip), '^::ffff:', '')";

    /// <summary>The client's /24 (IPv4) or /48 (IPv6) network as CIDR text.</summary>
    public const string ClientNetwork =
        "if(startsWith(IPv6NumToString(client_ip), '::ffff:'), "
        + "concat(IPv4NumToString(tupleElement(IPv4CIDRToRange(toIPv4(" + ClientIp + "), 24), 1)), '/24'), "
        + "concat(IPv6NumToString(tupleElement(IPv6CIDRToRange(client_ip, 48), 1)), '/48'))";

    /// <summary>Whether the client is ours (private space, configured networks, our mail servers).</summary>
    public const string ClientIsInternal = "arrayExists(n -> isIPAddressInRange(" + ClientIp + ", n), {internal_networks:Array(String)})";

    /// <summary>
    /// Whether a row was logged at the edge — by a relay, not by an internal mail server behind the relays
    /// (Domino), whose rows repeat the relays' hand-offs: volumes counted over both would count each
    /// message twice. Detection reads every row; traffic and capacity count edge rows.
    /// </summary>
    public const string AtEdge = "source NOT IN ('domino')";

    /// <summary>
    /// The registered domain of the client's reverse-DNS name (<c>out-12.mailer.example.net</c> →
    /// <c>example.net</c>); empty without one. Addresses of one /24 under one such domain are one
    /// operator's pool.
    /// </summary>
    public const string ReverseDnsDomain = "if(client_host IN ('', 'unknown'), '', cutToFirstSignificantSubdomain(lower(client_host)))";

    /// <summary>The domain of an address expression, lower case: what follows its last <c>@</c>.</summary>
    public static string DomainOf(string address) => $"lower(splitByChar('@', {address})[-1])";

    public static readonly string RcptDomain = DomainOf("rcpt_to");

    /// <summary>The recipient the client asked for: before an alias or forward rewrote it, where one did.</summary>
    public const string OriginalRecipient = "lower(if(orig_rcpt_to != '', orig_rcpt_to, rcpt_to))";

    public static readonly string SenderDomain = DomainOf("mail_from");

    /// <summary>
    /// The address a delivery was handed to, from <c>name[address]:port</c>; <c>::</c> (internal) when
    /// there is none, as for local delivery.
    /// </summary>
    public const string NextHopAddress =
        @"if(isIPv4String(extract(next_hop, '\\[([0-9A-Fa-f:.]+)\\]')) OR isIPv6String(extract(next_hop, '\\[([0-9A-Fa-f:.]+)\\]')), extract(next_hop, '\\[([0-9A-Fa-f:.]+)\\]'), '::')";

    /// <summary>Whether <paramref name="domain"/> (an SQL expression) is one of ours or a subdomain of one.</summary>
    public static string IsOurDomain(string domain) =>
        $"arrayExists(o -> {domain} = o OR endsWith({domain}, concat('.', o)), {{our_domains:Array(String)}})";

    /// <summary>The accepted-recipient count of a disconnect's command counts (<c>rcpt=1/21</c> → 1).</summary>
    public const string AcceptedRcptCommands = @"toUInt64OrZero(extract(detail, '(?:^| )rcpt=(\\d+)'))";

    /// <summary>
    /// Whether a row is part of a bounce-shaped transaction: the null sender (<c>MAIL FROM:&lt;&gt;</c>)
    /// addressing no more distinct recipients in its session than the session had transactions (one
    /// when the MTA does not log the count; Postfix's disconnect says <c>mail=N</c>), from a client that
    /// names itself as a mail server does — a reverse-DNS name, or, where the MTA logs none
    /// (Exchange), a HELO that is a domain name rather than an address literal or a bare word. A
    /// non-delivery notification goes to the one return path of the message it reports on, and comes
    /// from a receiver's MTA, so a bounce never tries a list of recipients and rarely comes from a
    /// nameless host; a harvester that walks a dictionary, or guesses from a bot without a name, does.
    /// A window over the rows the query reads: they must include the session's <c>rcpt_reject</c>,
    /// <c>delivery</c> and <c>disconnect</c> rows.
    /// </summary>
    public const string BounceShaped =
        "(mail_from = '' AND event IN ('rcpt_reject', 'delivery') AND " + NamedLikeAMailServer + " AND "
        + "uniqExactIf(" + OriginalRecipient + ", mail_from = '' AND event IN ('rcpt_reject', 'delivery')) OVER session "
        + "<= greatest(toUInt64(1), maxIf(toUInt64OrZero(extract(detail, '(?:^| )mail=(\\\\d+)')), event = 'disconnect') OVER session))";

    /// <summary>A client with a reverse-DNS name, or, where the log has no such column, a HELO that is a dotted domain name.</summary>
    public const string NamedLikeAMailServer =
        "(client_host NOT IN ('', 'unknown') OR (client_host = '' AND match(helo, '^[A-Za-z0-9-]+(\\\\.[A-Za-z0-9-]+)+$') AND NOT isIPv4String(helo)))";

    /// <summary>The window <see cref="BounceShaped"/> reads: one SMTP session (a row without a session id is its own).</summary>
    public const string SessionWindow = "WINDOW session AS (PARTITION BY relay, if(session_id = '', concat(file, ':', toString(line)), session_id))";

    /// <summary>The rows of the day being detected, read through the sorting key.</summary>
    public const string OnTheDay = "toDate(ts) = {day:Date}";

    /// <summary>The rows of the look-back window ending with the day being detected.</summary>
    public const string InTheWindow = "toDate(ts) BETWEEN {window_start:Date} AND {day:Date}";
}
