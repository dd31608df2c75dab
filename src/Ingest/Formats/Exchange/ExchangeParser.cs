using System.Globalization;
using RelayWatch.Ingest.Events;
using Sprache;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// Reads Microsoft Exchange's transport logs — message tracking logs and SMTP receive protocol logs
/// (send protocol logs, our own connections out, are recognised and skipped: the tracking log's
/// <c>SEND</c>, <c>FAIL</c> and <c>DEFER</c> rows tell what became of each message) —
/// by the column names of each file's <c>#Fields:</c> header (a header may change mid-file; a protocol
/// log without one is read in Exchange's default column order). Tracking: <c>RECEIVE</c> is a message
/// taken in (client, sender, size, Message-ID), <c>SEND</c> and <c>DELIVER</c> deliveries, <c>FAIL</c> a
/// bounce, <c>DEFER</c> a deferral, <c>DSN</c> a notification sent; the rest is skipped. Protocol: a
/// session's lines share its session id; <c>+</c> connects, <c>-</c> disconnects, and the server's refusals
/// (<c>&gt;</c> 4xx/5xx) become authentication failures, recipient refusals (with the <c>RCPT TO</c> the client
/// gave just before) or other refusals. The relay is <c>--relay</c>, else the server the line names, else the
/// folder the file is in.
/// </summary>
internal sealed class ExchangeParser : ILogParser
{
    /// <summary>The SMTP protocol log's columns when a file has no header (Exchange 2013 and later).</summary>
    private static readonly string[] ProtocolDefault = ["date-time", "connector-id", "session-id", "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context"];

    private readonly Dictionary<string, Columns> headers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> servers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> sending = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, Session> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, Received> received = new(StringComparer.Ordinal);
    private readonly List<string> fields = [];
    private long linesSinceSweep;

    public string Source => "exchange";

    /// <summary>How long a protocol session may sit idle before it is dropped. Default 1 day.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(1);

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        line = line.TrimStart('\uFEFF').TrimEnd();
        if (line.IsEmpty)
        {
            return LineResult.Skipped("blank line");
        }

        if (line[0] == '#')
        {
            if (line.StartsWith("#Log-type:"))
            {
                // A send protocol log records our own connections out: its replies are the far side's, not ours to the client.
                sending[origin.File] = line.Contains("Send", StringComparison.Ordinal);
            }

            if (line.StartsWith("#Fields:"))
            {
                var names = ExchangeGrammar.Fields.TryParse(line.ToString());
                if (!names.WasSuccessful)
                {
                    return LineResult.Unrecognised("unreadable exchange #Fields header");
                }

                headers[origin.File] = new Columns(names.Value);
            }

            return LineResult.Skipped("exchange.header");
        }

        if (!ExchangeCsv.TrySplit(line, fields))
        {
            return LineResult.Unrecognised("unreadable exchange record");
        }

        if (!headers.TryGetValue(origin.File, out var columns))
        {
            if (fields.Count < ProtocolDefault.Length - 1 || fields[6] is not ("+" or "-" or "<" or ">" or "*"))
            {
                return LineResult.Unrecognised("exchange record without a #Fields header");
            }

            headers[origin.File] = columns = new Columns(ProtocolDefault);
        }

        if (!DateTimeOffset.TryParse(columns.Get(fields, "date-time"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            return LineResult.Unrecognised("unreadable exchange date-time");
        }

        if (++linesSinceSweep >= 50_000)
        {
            linesSinceSweep = 0;
            sessions.Sweep(timestamp - Horizon);
            received.Sweep(timestamp - TimeSpan.FromDays(7));
        }

        var context = new LineContext(timestamp, origin, lineNumber);
        return columns.IsTracking ? Tracking(columns, context)
            : columns.IsProtocol && sending.GetValueOrDefault(origin.File) ? LineResult.Skipped("exchange.send_protocol")
            : columns.IsProtocol ? Protocol(columns, context)
            : LineResult.Skipped("exchange.other_log");
    }

    /// <summary>Whether a line is an Exchange transport log's header line, for format detection.</summary>
    public static bool LooksLikeTransportLog(string line)
    {
        var text = line.TrimStart('\uFEFF');
        return text.StartsWith("#Software: Microsoft Exchange", StringComparison.Ordinal)
            || (text.StartsWith("#Fields: date-time,", StringComparison.Ordinal) && (text.Contains(",event-id,", StringComparison.Ordinal) || text.Contains(",session-id,", StringComparison.Ordinal)));
    }

    /// <summary>Whether a line is a protocol log record in the default columns (a file without its header), for format detection.</summary>
    public static bool LooksLikeProtocolRecord(string line)
    {
        if (line.Length < 24 || line[4] != '-' || line[10] != 'T' || line[line.IndexOf(',') is var comma and > 0 ? comma - 1 : 0] != 'Z')
        {
            return false;
        }

        var columns = line.Split(',');
        return columns.Length >= ProtocolDefault.Length - 1 && columns[6] is "+" or "-" or "<" or ">" or "*";
    }

    private LineResult Tracking(Columns columns, LineContext context)
    {
        var eventId = columns.Get(fields, "event-id");
        var (eventName, kind) = eventId switch
        {
            "RECEIVE" => (EventNames.Message, "exchange.receive"),
            "SEND" => (EventNames.Delivery, "exchange.send"),
            "DELIVER" => (EventNames.Delivery, "exchange.deliver"),
            "FAIL" => (EventNames.Bounce, "exchange.fail"),
            "DEFER" => (EventNames.Defer, "exchange.defer"),
            "DSN" => (EventNames.NdrSent, "exchange.dsn"),
            _ => (null, "exchange." + (eventId.Length > 0 ? eventId.ToLowerInvariant() : "tracking_note")),
        };
        if (eventName is null)
        {
            return LineResult.Skipped(kind);
        }

        var client = columns.Get(fields, "client-ip");
        var server = columns.Get(fields, "server-hostname");
        var status = columns.Get(fields, "recipient-status");
        // The server that wrote the log: named by its receive and delivery lines (send, fail and defer lines name the next hop instead).
        if (eventId is "RECEIVE" or "DELIVER" && server.Length > 0)
        {
            servers[context.Origin.File] = server;
        }

        // A message's later lines name the sending server as their client; the client is the one it came from.
        var internalId = columns.Get(fields, "internal-message-id");
        var origin = eventId == "RECEIVE" || internalId.Length == 0 ? null : received.Find(context.Origin.File + "/" + internalId, context.Timestamp);
        if (eventId == "RECEIVE" && internalId.Length > 0)
        {
            received.Set(context.Origin.File + "/" + internalId, new Received(client, columns.Get(fields, "client-hostname")) { LastSeen = context.Timestamp });
        }

        var relay = context.Origin.Relay ?? servers.GetValueOrDefault(context.Origin.File) ?? context.Origin.FolderOr("exchange");
        var smtp = new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = relay,
            Source = Source,
            Event = eventName,
            ClientIp = origin?.Ip ?? (eventId == "RECEIVE" ? ClientAddress.Canonical(client) ?? string.Empty : string.Empty),
            ClientHost = origin?.Host ?? (eventId == "RECEIVE" ? columns.Get(fields, "client-hostname") : string.Empty),
            MailFrom = columns.Get(fields, "sender-address") is "<>" ? string.Empty : columns.Get(fields, "sender-address"),
            RcptTo = columns.Get(fields, "recipient-address").Replace(';', ','),
            QueueId = columns.Get(fields, "internal-message-id"),
            MessageId = columns.Get(fields, "message-id").Trim('<', '>'),
            Size = ulong.TryParse(columns.Get(fields, "total-bytes"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0,
            NextHop = eventId switch
            {
                "SEND" => server.Length > 0 ? $"{server}[{columns.Get(fields, "server-ip")}]" : columns.Get(fields, "server-ip"),
                "DELIVER" => "mailbox",
                _ => string.Empty,
            },
            Detail = status,
            SmtpCode = eventName is EventNames.Bounce or EventNames.Defer ? Code(status) : (ushort)0,
            Reason = eventName is EventNames.Bounce or EventNames.Defer ? Reasons.Classify(status) : string.Empty,
            File = context.Origin.File,
            Line = (ulong)context.Line,
        };
        return new LineResult(LineOutcome.Event, kind, smtp);
    }

    private LineResult Protocol(Columns columns, LineContext context)
    {
        var connector = columns.Get(fields, "connector-id");
        var relay = context.Origin.Relay ?? (connector.IndexOf('\\') is var slash and > 0 ? connector[..slash] : context.Origin.FolderOr("exchange"));
        var sessionId = columns.Get(fields, "session-id");
        var remote = Endpoint(columns.Get(fields, "remote-endpoint"));
        var data = columns.Get(fields, "data");
        var key = relay + "/" + sessionId;
        switch (columns.Get(fields, "event"))
        {
            case "+":
                if (remote is null)
                {
                    return LineResult.Unrecognised("unreadable exchange remote endpoint");
                }

                sessions.Set(key, new Session($"{relay}/{sessionId}", remote) { LastSeen = context.Timestamp });
                return SessionEvent(EventNames.Connect, "exchange.connect", sessions.Peek(key)!, relay, context, string.Empty);
            case "-":
                var ending = sessions.Peek(key) ?? (remote is null ? null : new Session($"{relay}/{sessionId}", remote));
                sessions.Remove(key);
                return ending is null ? LineResult.Skipped("exchange.disconnect_unknown") : SessionEvent(EventNames.Disconnect, "exchange.disconnect", ending, relay, context, data);
            case "<":
                var told = sessions.Find(key, context.Timestamp);
                if (told is not null)
                {
                    if (data.StartsWith("EHLO ", StringComparison.OrdinalIgnoreCase) || data.StartsWith("HELO ", StringComparison.OrdinalIgnoreCase))
                    {
                        told.Helo = data[5..].Trim();
                    }
                    else if (data.StartsWith("MAIL FROM:", StringComparison.OrdinalIgnoreCase))
                    {
                        told.MailFrom = Envelope.Address(data.AsSpan("MAIL FROM:".Length));
                    }
                    else if (data.StartsWith("RCPT TO:", StringComparison.OrdinalIgnoreCase))
                    {
                        told.Recipient = Envelope.Address(data.AsSpan("RCPT TO:".Length));
                    }
                }

                return LineResult.Skipped("exchange.client_command");
            case ">":
                var code = Code(data);
                if (code < 400)
                {
                    return LineResult.Skipped("exchange.reply");
                }

                var session = sessions.Find(key, context.Timestamp) ?? (remote is null ? null : new Session($"{relay}/{sessionId}", remote));
                if (session is null)
                {
                    return LineResult.Unrecognised("exchange refusal without a client");
                }

                var (eventName, kind) = code == 535 || data.Contains("Authentication unsuccessful", StringComparison.Ordinal) ? (EventNames.AuthFailure, "exchange.auth_failure")
                    : session.Recipient.Length > 0 ? (EventNames.RcptReject, "exchange.rcpt_reject")
                    : (EventNames.Reject, "exchange.reject");
                var result = SessionEvent(eventName, kind, session, relay, context, data);
                return result with
                {
                    Event = result.Event! with
                    {
                        SmtpCode = code,
                        RcptTo = eventName == EventNames.RcptReject ? session.Recipient : string.Empty,
                        Reason = eventName == EventNames.AuthFailure ? string.Empty : Reasons.Classify(data),
                    },
                };
            default:
                return LineResult.Skipped("exchange.protocol_note");
        }
    }

    private LineResult SessionEvent(string eventName, string kind, Session session, string relay, LineContext context, string detail)
    {
        if (eventName != EventNames.RcptReject)
        {
            // A recipient refusal answers the RCPT TO just before; any other reply ends that recipient's turn.
            session.Recipient = string.Empty;
        }

        return new LineResult(LineOutcome.Event, kind, new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = relay,
            Source = Source,
            Event = eventName,
            ClientIp = session.Ip,
            Helo = session.Helo,
            MailFrom = session.MailFrom,
            SessionId = session.Id,
            Detail = detail,
            File = context.Origin.File,
            Line = (ulong)context.Line,
        });
    }

    /// <summary>The address of <c>192.0.2.1:25</c> or <c>[2001:db8::1]:25</c>, canonical; null when it is none.</summary>
    private static string? Endpoint(string endpoint) =>
        ClientAddress.TryParseEndpoint(endpoint, out var address, out _) ? address.ToString() : null;

    /// <summary>The reply code a status or reply starts with (<c>550 5.1.1 …</c>), 0 when none.</summary>
    private static ushort Code(string text) =>
        text.Length >= 3 && ushort.TryParse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 200 and < 600 && (text.Length == 3 || !char.IsAsciiDigit(text[3]))
            ? code : (ushort)0;


    private readonly record struct LineContext(DateTimeOffset Timestamp, LineOrigin Origin, long Line);

    /// <summary>A header's columns by name.</summary>
    private sealed class Columns(IReadOnlyList<string> names)
    {
        private readonly Dictionary<string, int> index = names.Select((n, i) => (n, i)).GroupBy(p => p.n, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);

        public bool IsTracking => index.ContainsKey("event-id");

        public bool IsProtocol => index.ContainsKey("session-id") && index.ContainsKey("event");

        /// <summary>The named column of a record; empty when the header has no such column or the record is short.</summary>
        public string Get(List<string> record, string name) =>
            index.TryGetValue(name, out var at) && at < record.Count ? record[at] : string.Empty;
    }

    /// <summary>Where a message came from, kept by its internal message id for its later lines.</summary>
    private sealed class Received(string ip, string host) : ICorrelationState
    {
        public string Ip { get; } = ClientAddress.Canonical(ip) ?? string.Empty;

        public string Host { get; } = host;

        public DateTimeOffset LastSeen { get; set; }
    }

    private sealed class Session(string id, string ip) : ICorrelationState
    {
        public string Id { get; } = id;

        public string Ip { get; } = ip;

        public string Helo { get; set; } = string.Empty;

        public string MailFrom { get; set; } = string.Empty;

        public string Recipient { get; set; } = string.Empty;

        public DateTimeOffset LastSeen { get; set; }
    }
}
