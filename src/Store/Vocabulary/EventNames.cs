namespace RelayWatch.Store.Vocabulary;

/// <summary>The values of <c>smtp_events.event</c> (docs/schema.md).</summary>
public static class EventNames
{
    public const string Connect = "connect";
    public const string Disconnect = "disconnect";

    /// <summary>A recipient refused at RCPT TO.</summary>
    public const string RcptReject = "rcpt_reject";

    /// <summary>Refused at another stage: CONNECT, HELO/EHLO, MAIL FROM, DATA, end of message.</summary>
    public const string Reject = "reject";

    /// <summary>A message accepted into a queue.</summary>
    public const string Message = "message";

    public const string Delivery = "delivery";
    public const string Bounce = "bounce";
    public const string Defer = "defer";
    public const string AuthFailure = "auth_failure";

    /// <summary>The client went away mid-transaction (Postfix "lost connection after …").</summary>
    public const string LostConnection = "lost_connection";

    public const string Timeout = "timeout";
    public const string TooManyErrors = "too_many_errors";

    /// <summary>The client spoke before its turn (pipelining without permission, pregreet).</summary>
    public const string Pipelining = "pipelining";

    public const string Pregreet = "pregreet";

    /// <summary>A DNS blocklist listed the client (postscreen's DNSBL rank).</summary>
    public const string Dnsbl = "dnsbl";

    /// <summary>The client sent something that is not SMTP (an HTTP request, say).</summary>
    public const string NonSmtp = "non_smtp";

    /// <summary>An SPF verdict on the client and envelope sender (<c>reason</c>: pass, fail, softfail, neutral, none, permerror, temperror).</summary>
    public const string Spf = "spf";

    /// <summary>We generated a non-delivery notification to the sender.</summary>
    public const string NdrSent = "ndr_sent";

    /// <summary>
    /// The client broke the protocol in a way none of the kinds above names: AUTH when it was not
    /// advertised, a command the MTA calls an attack (Sendmail's "possible SMTP attack"), an SMTP
    /// protocol error. <c>detail</c> holds the MTA's words.
    /// </summary>
    public const string ProtocolViolation = "protocol_violation";

    /// <summary>The MTA throttled the client: a connection, message or recipient rate limit was exceeded (<c>detail</c>: which).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>
    /// The client connected and left without starting a transaction (Exim's "no MAIL in SMTP
    /// connection", Sendmail's "did not issue MAIL/EXPN/VRFY/ETRN"): a scanner or a probe.
    /// </summary>
    public const string NoTransaction = "no_transaction";

    /// <summary>The client's reverse DNS name does not resolve back to its address (Postfix "hostname H does not resolve to address IP").</summary>
    public const string RdnsMismatch = "rdns_mismatch";

    /// <summary>Every event name.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Connect, Disconnect, RcptReject, Reject, Message, Delivery, Bounce, Defer, AuthFailure, LostConnection, Timeout, TooManyErrors, Pipelining, Pregreet, Dnsbl, NonSmtp, Spf, NdrSent, ProtocolViolation, RateLimited, NoTransaction, RdnsMismatch];
}
