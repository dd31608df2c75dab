using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// The SMTP receive sessions of the protocol logs, by relay and session id, and what each kind of protocol
/// record does to them: <c>+</c> opens a session for the remote endpoint, the client's commands name its
/// HELO, sender and recipient, the server's refusals become events of its client, <c>-</c> closes it.
/// A login (<c>*,DOMAIN\user,authenticated</c>) is also kept by the session's connector and session id, past
/// the disconnect, for the tracking log's messages of that session (<see cref="Login"/>).
/// </summary>
internal sealed class ExchangeSessions
{
    private const int MaxKeyLength = 256;

    private readonly CorrelationMap<string, ExchangeSession> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, ExchangeLogin> logins = new(StringComparer.Ordinal);

    public void Sweep(DateTimeOffset cutoff) => sessions.Sweep(cutoff);

    /// <summary>Drops the logins of sessions not asked about since <paramref name="cutoff"/>.</summary>
    public void SweepLogins(DateTimeOffset cutoff) => logins.Sweep(cutoff);

    /// <summary>
    /// The login of the session <paramref name="sessionId"/> of the receive connector <paramref name="connector"/>
    /// (as both logs write them: <c>EDGE1\Default EDGE1</c>, <c>08DE0A0000000077</c>), if its client was
    /// <paramref name="ip"/> (canonical); null when it never logged in, was not read, or had another client.
    /// </summary>
    public ExchangeLogin? Login(string connector, ReadOnlySpan<char> sessionId, string ip, DateTimeOffset now) =>
        connector.Length == 0 || sessionId.IsEmpty || ip.Length == 0 ? null
        : logins.Find(LoginKey(connector, sessionId), now) is { } login && login.Ip == ip ? login
        : null;

    private static string LoginKey(ReadOnlySpan<char> connector, ReadOnlySpan<char> sessionId) => string.Concat(connector, "\n", sessionId);

    public LineResult Apply(ExchangeKind kind, LineFields fields, ExchangeRecord record, ExchangeColumns columns, EventStamp stamp)
    {
        var name = kind.Line.Name;
        var sessionId = record.Raw(columns.SessionId);
        switch (kind.Step)
        {
            case ExchangeStep.Connect:
                if (Endpoint(record.Raw(columns.RemoteEndpoint)) is not { } ip)
                {
                    return LineResult.Unrecognised("unreadable exchange remote endpoint");
                }

                var id = string.Concat(stamp.Relay, "/", sessionId);
                var opened = new ExchangeSession(id, ip) { LastSeen = stamp.Timestamp };
                sessions.Set(id, opened);
                return Recorded(name, kind.Line.Event!, opened, stamp, string.Empty);

            case ExchangeStep.Disconnect:
                var key = string.Concat(stamp.Relay, "/", sessionId);
                var ending = sessions.Peek(key) ?? (Endpoint(record.Raw(columns.RemoteEndpoint)) is { } remote ? new ExchangeSession(key, remote) : null);
                sessions.Remove(key);
                return ending is null ? LineResult.Skipped("exchange.disconnect_unknown") : Recorded(name, kind.Line.Event!, ending, stamp, record.Text(columns.Data));

            case ExchangeStep.Note:
                return LineResult.Skipped(name);
        }

        var session = Find(stamp.Relay, sessionId, stamp.Timestamp);
        switch (kind.Step)
        {
            case ExchangeStep.Command:
                return LineResult.Skipped(name);
            case ExchangeStep.Helo when session is not null:
                session.Helo = fields.Get("helo").Trim().ToString();
                return LineResult.Skipped(name);
            case ExchangeStep.Sender when session is not null:
                session.MailFrom = Envelope.Bracketed(fields.Get("mail_from"));
                return LineResult.Skipped(name);
            case ExchangeStep.Recipient when session is not null:
                session.Recipient = Envelope.Bracketed(fields.Get("rcpt_to"));
                return LineResult.Skipped(name);
            case ExchangeStep.Authenticated:
                // Kept for the session's messages even when its connect was not read (a file begun mid-session): its client is the remote endpoint.
                var account = record.Text(columns.Data);
                session?.SaslUser = account;
                if (account.Length > 0 && !sessionId.IsEmpty && record.Text(columns.ConnectorId) is { Length: > 0 } connector
                    && (session?.Ip ?? Endpoint(record.Raw(columns.RemoteEndpoint))) is { } loginClient)
                {
                    logins.Set(LoginKey(connector, sessionId), new ExchangeLogin(loginClient, account) { LastSeen = stamp.Timestamp });
                }

                return LineResult.Skipped(name);
            case ExchangeStep.Helo or ExchangeStep.Sender or ExchangeStep.Recipient:
                return LineResult.Skipped(name);
        }

        // A reply refusing something, or naming why.
        var data = record.Text(columns.Data);
        var code = SmtpReply.LeadingCode(data);
        if (code == 0)
        {
            return LineResult.Unrecognised("exchange reply without a reply code");
        }

        session ??= Endpoint(record.Raw(columns.RemoteEndpoint)) is { } client ? new ExchangeSession(string.Concat(stamp.Relay, "/", sessionId), client) : null;
        if (session is null)
        {
            return LineResult.Unrecognised("exchange refusal without a client");
        }

        var (eventName, kindName) = kind.Step == ExchangeStep.Signal ? (kind.Line.Event!, name)
            : session.Recipient.Length > 0 ? (EventNames.RcptReject, "exchange.rcpt_reject")
            : (EventNames.Reject, "exchange.reject");
        var recipient = session.Recipient;
        var result = Recorded(kindName, eventName, session, stamp, data);
        return result with
        {
            Event = result.Event! with
            {
                SmtpCode = code,
                RcptTo = eventName == EventNames.RcptReject ? recipient : string.Empty,
                Reason = eventName == EventNames.AuthFailure ? string.Empty : ReplyReasons.Classify(data),
            },
        };
    }

    private ExchangeSession? Find(string relay, ReadOnlySpan<char> sessionId, DateTimeOffset now)
    {
        if (relay.Length + 1 + sessionId.Length > MaxKeyLength)
        {
            return sessions.Find(string.Concat(relay, "/", sessionId), now);
        }

        Span<char> key = stackalloc char[relay.Length + 1 + sessionId.Length];
        relay.CopyTo(key);
        key[relay.Length] = '/';
        sessionId.CopyTo(key[(relay.Length + 1)..]);
        return sessions.Find<ReadOnlySpan<char>>(key, now);
    }

    private static LineResult Recorded(string kind, string eventName, ExchangeSession session, EventStamp stamp, string detail)
    {
        if (eventName != EventNames.RcptReject)
        {
            // A recipient refusal answers the RCPT TO just before; any other reply ends that recipient's turn.
            session.Recipient = string.Empty;
        }

        return new LineResult(LineOutcome.Event, kind, new SmtpEvent(stamp, eventName)
        {
            ClientIp = session.Ip,
            Helo = session.Helo,
            MailFrom = session.MailFrom,
            SessionId = session.Id,
            SaslUser = session.SaslUser,
            Detail = detail,
        });
    }

    /// <summary>The address of <c>192.0.2.1:25</c> or <c>[2001:db8::1]:25</c>, canonical; null when it is none.</summary>
    private static string? Endpoint(ReadOnlySpan<char> endpoint) =>
        ClientAddress.TryParseEndpoint(endpoint, out var address, out _) ? address.ToString() : null;
}
