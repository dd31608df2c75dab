using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// Reads Exim's mainlog — native (<c>2026-11-24 10:00:00 …</c>) or through syslog (<c>exim[123]: …</c>) —
/// with <see cref="EximGrammar"/> (through its span readers <see cref="EximFieldReader"/> and
/// <see cref="TryReadTimestamp"/> on the hot path), and correlates it: an SMTP connection's lines share a session id
/// (by client address and port, from "SMTP connection from" to its close), and a message's lines share
/// what its arrival (<c>&lt;=</c>) said — client, HELO, sender, size, Message-ID — through its message id.
/// The words after the prefix pick the kind of line (a cheap span dispatch); the grammar reads its
/// fields. Correlation state idle for longer than <see cref="Horizon"/> is dropped.
/// </summary>
internal sealed class EximParser : ILogParser
{
    private const int SweepEvery = 50_000;

    /// <summary>Lines recognised and deliberately not stored, by how they begin (after the prefix, or after the message id).</summary>
    private static readonly string[] SkippedStarts =
    [
        "Start queue run", "End queue run", "exim ", "no host name found", "no IP address found", "TLS error on connection",
        "TLS session", "Connection from", "SMTP data timeout", "daemon started", "Warning:", "WARNING:", "LOG:",
        "cwd=", "SMTP connection lost after final dot", "sender verify", "H=",
        "DKIM:", "cancelled by", "peer", "our cert", "cipher", "bits",
        "tls_", "event", "Authentication-Results:", "signer:", "domains:", "arc_", "dkim_", "ACL ", "rcpt for", "received ",
        "spam ", "SA:", "Spool file", "Format error", "spool",
    ];

    private readonly CorrelationMap<string, Session> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, MessageState> messages = new(StringComparer.Ordinal);
    private long linesSinceSweep;

    public string Source => "exim";

    /// <summary>How long correlation state may sit idle before it is dropped. Default 7 days (Exim's usual retry horizon for a frozen message is longer; a day's mail is correlated long before).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7);

    public int OpenSessions => sessions.Count;

    public int OpenMessages => messages.Count;

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (IsRejectLog(origin.File))
        {
            // The rejectlog repeats the mainlog's refusals, with the headers of the messages refused after DATA.
            return LineResult.Skipped("exim.rejectlog");
        }

        if (!TryReadPrefix(line, origin, out var timestamp, out var relay, out var bodyStart, out var why))
        {
            return why is null ? LineResult.Skipped("other program") : LineResult.Unrecognised(why);
        }

        if (++linesSinceSweep >= SweepEvery)
        {
            Sweep(timestamp);
        }

        var body = line[bodyStart..].TrimEnd();
        var context = new LineContext(timestamp, relay, origin.File, lineNumber);
        return IsMessageId(body, out var idLength)
            ? MessageLine(body[..idLength].ToString(), body[Math.Min(body.Length, idLength + 1)..], context)
            : ConnectionLine(body, context);
    }

    /// <summary>Whether a file is Exim's rejectlog (<c>rejectlog</c>, <c>rejectlog.1</c>, <c>rejectlog.2.gz</c>, <c>rejectlog-20261124</c>), by Exim's name for it.</summary>
    public static bool IsRejectLog(string file) =>
        Path.GetFileName(file).StartsWith("rejectlog", StringComparison.Ordinal);

    /// <summary>Whether a line looks like a native mainlog line (<c>yyyy-MM-dd HH:mm:ss</c> then a message id or a known phrase), for format detection.</summary>
    public static bool LooksNative(string line)
    {
        if (line.Length < 21 || !char.IsAsciiDigit(line[0]) || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':')
        {
            return false;
        }

        var rest = line.AsSpan(19).TrimStart(".0123456789").TrimStart(' ');
        rest = rest.StartsWith("+") || rest.StartsWith("-") ? rest[Math.Min(rest.Length, 6)..] : rest;
        rest = rest.StartsWith("[") && rest.IndexOf("] ") is var close and > 0 ? rest[(close + 2)..] : rest;
        return IsMessageId(rest, out _) || rest.StartsWith("SMTP connection from ") || rest.StartsWith("H=") || rest.Contains(" authenticator failed for ", StringComparison.Ordinal)
            || rest.StartsWith("Start queue run") || rest.StartsWith("exim ");
    }

    /// <summary>The lines of one message, after its id.</summary>
    private LineResult MessageLine(string id, ReadOnlySpan<char> rest, LineContext context)
    {
        if (rest.StartsWith("<= "))
        {
            return Arrival(id, rest[3..], context);
        }

        if (rest.StartsWith("=> ") || rest.StartsWith("-> "))
        {
            return Delivery(id, rest[3..], EventNames.Delivery, "exim.delivery", context);
        }

        if (rest.StartsWith("== "))
        {
            return Delivery(id, rest[3..], EventNames.Defer, "exim.defer", context);
        }

        if (rest.StartsWith("** "))
        {
            return Delivery(id, rest[3..], EventNames.Bounce, "exim.bounce", context);
        }

        if (rest.StartsWith("*> "))
        {
            return LineResult.Skipped("exim.suppressed_delivery");
        }

        if (rest.SequenceEqual("Completed"))
        {
            messages.Remove(Key(context.Relay, id));
            return LineResult.Skipped("exim.completed");
        }

        // local_scan() (SpamAssassin through sa-exim, say) refuses a message after DATA as an ACL would.
        if (rest.Contains(" rejected after DATA", StringComparison.Ordinal) || rest.Contains(" rejected by non-SMTP ACL", StringComparison.Ordinal)
            || rest.Contains(" rejected by local_scan()", StringComparison.Ordinal))
        {
            var at = rest.IndexOf(" rejected ", StringComparison.Ordinal);
            return Rejection(rest[..at], rest[(at + " rejected ".Length)..], EventNames.Reject, "exim.reject_data", context, id);
        }

        if (rest.StartsWith("SMTP connection from "))
        {
            // The client went away in the middle of this message.
            return ConnectionLine(rest, context);
        }

        if (AuthenticatorFailure(rest) is not null)
        {
            // "10HmbB-… plain authenticator failed H=… 503 …": a failed login in the middle of a message's connection.
            return ConnectionLine(rest, context);
        }

        // Exim writes many free-form notes about a message (routing, retries, ACL warnings); the ones
        // RelayWatch stores are matched above, and a line that carries a message id is Exim's.
        return LineResult.Skipped("exim.message_note");
    }

    /// <summary>The lines about a connection rather than a message: connects, closes, refusals, authentication.</summary>
    private LineResult ConnectionLine(ReadOnlySpan<char> body, LineContext context)
    {
        const string ConnectionFrom = "SMTP connection from ";
        if (body.StartsWith(ConnectionFrom))
        {
            var spec = body[ConnectionFrom.Length..];
            var host = ReadHost(spec, out var port, out var after);
            if (host is null)
            {
                // A local submission (SMTP over a pipe) names a user, not an address.
                return IsLocal(spec) ? LineResult.Skipped("exim.local_connection") : LineResult.Unrecognised("unreadable host in exim connection line");
            }

            var tail = spec[after..].Trim();
            if (tail.IsEmpty || tail.StartsWith("I=") || tail.StartsWith("(TCP/IP connection count"))
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{context.Relay}/{host.Ip}/{port}/{context.Timestamp.ToUnixTimeMilliseconds():x}");
                sessions.Set(SessionKey(context.Relay, host.Ip, port), new Session(id, host) { LastSeen = context.Timestamp });
                return Event(EventNames.Connect, "exim.connect", context, host, port);
            }

            var (eventName, kind) = tail.StartsWith("closed by QUIT") || tail.StartsWith("closed by EOF") ? (EventNames.Disconnect, "exim.disconnect")
                : tail.StartsWith("lost") ? (EventNames.LostConnection, "exim.lost_connection")
                : tail.StartsWith("closed after") || tail.StartsWith("D=") ? (EventNames.Disconnect, "exim.disconnect")
                : (null, "exim.connection_note");
            if (eventName is null)
            {
                return LineResult.Skipped(kind);
            }

            var smtp = Event(eventName, kind, context, host, port, detail: tail.ToString());
            sessions.Remove(SessionKey(context.Relay, host.Ip, port));
            return smtp;
        }

        foreach (var (marker, eventName, kind) in RejectionMarkers)
        {
            var at = body.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0 && (at == 0 || body.StartsWith("H=") || body.StartsWith("U=")))
            {
                return Rejection(body[..at], body[(at + (marker[0] == ' ' ? 1 : 0))..], eventName, kind, context, null);
            }
        }

        if (AuthenticatorFailure(body) is { } failed)
        {
            return AuthFailure(body[failed..], context);
        }

        if (body.StartsWith("rejected HELO from ") || body.StartsWith("rejected EHLO from "))
        {
            var spec = body["rejected HELO from ".Length..];
            var host = ReadHost(spec, out var port, out var after);
            var detail = spec[after..].TrimStart(':').Trim().ToString();
            return host is null ? LineResult.Skipped("exim.helo_reject_local") : Event(EventNames.Reject, "exim.helo_reject", context, host, port, detail, code: 550);
        }

        if (body.StartsWith("SMTP protocol synchronization error"))
        {
            return WithHostField(body, EventNames.Pipelining, "exim.synchronization_error", context);
        }

        if (body.StartsWith("SMTP protocol error in ") || body.StartsWith("SMTP syntax error in "))
        {
            return ProtocolError(body, context);
        }

        foreach (var kind in ClientLines)
        {
            if (body.StartsWith(kind.Start) && (kind.Contains is null || body.Contains(kind.Contains, StringComparison.Ordinal)))
            {
                var spec = body[kind.Start.Length..];
                var host = ReadHost(spec, out var port, out var after);
                return host is not null ? Event(kind.Event, kind.Name, context, host, port, spec[after..].Trim().ToString())
                    : IsLocal(spec) ? LineResult.Skipped("exim.local_connection")
                    : LineResult.Unrecognised("unreadable host in " + kind.Name);
            }
        }

        if (body.StartsWith("H=") && body.Contains("] sender verify fail", StringComparison.Ordinal))
        {
            // Verification's own note; when the ACL refuses, Exim logs the refusal with the client next
            // ("rejected RCPT <…>: Sender verify failed"), which is the event. Stored too, it would count twice.
            return LineResult.Skipped("exim.sender_verify_note");
        }

        if (body.StartsWith("H=") && body.IndexOf(" Warning: ", StringComparison.Ordinal) is var warning and > 0)
        {
            return Warning(body, warning, context);
        }

        return StartsWithAny(body) ? LineResult.Skipped("exim.note") : LineResult.Unrecognised("unknown exim line");
    }

    /// <summary>
    /// <c>H=… Warning: text</c>, what an ACL's <c>warn … log_message</c> writes. A DNS list's verdict
    /// (<c>warn dnslists = zen.example log_message = $sender_host_address is in $dnslist_domain</c>,
    /// or <c>found in zen.example</c>) is the client's blocklist hit, as postscreen's DNSBL rank is;
    /// other warnings say what the configuration chose to say and are kept as notes.
    /// </summary>
    private LineResult Warning(ReadOnlySpan<char> body, int warning, LineContext context)
    {
        var text = body[(warning + " Warning: ".Length)..];
        var listed = text.StartsWith("found in ") || text.Contains(" is in ", StringComparison.Ordinal) || text.Contains(" is listed in ", StringComparison.Ordinal);
        if (!listed)
        {
            return LineResult.Skipped("exim.warning");
        }

        var host = ReadHost(body[2..], out var port, out _);
        return host is null ? LineResult.Skipped("exim.warning") : Event(EventNames.Dnsbl, "exim.dnsbl", context, host, port, text.Trim().ToString());
    }

    /// <summary>
    /// Lines about a client that start with fixed words and then name it (<c>name (helo) [ip]:port</c>); the rest of
    /// the line is the detail. <see cref="ClientLineKind.Contains"/>, when set, must also appear.
    /// </summary>
    private static readonly ClientLineKind[] ClientLines =
    [
        new("exim.timeout", "SMTP command timeout on connection from ", EventNames.Timeout),
        new("exim.lost_connection", "unexpected disconnection while reading SMTP command from ", EventNames.LostConnection),
        // A client that connected and never started a transaction: a scanner, a prober, a failed login attempt.
        new("exim.no_mail", "no MAIL in SMTP connection from ", EventNames.NoTransaction),
        new("exim.too_many_errors", "SMTP call from ", EventNames.TooManyErrors, " dropped: too many"),
    ];

    /// <summary>
    /// Where the client's specification starts in an authenticator's failure, in every prefix form Exim writes:
    /// <c>NAME authenticator failed for (helo) [ip]:port: 535 …</c>, <c>… failed for H=(helo) [ip] U=user: …</c>,
    /// and <c>NAME authenticator failed H=(helo) [ip] 503 …</c>. Null when the line is none of these.
    /// </summary>
    private static int? AuthenticatorFailure(ReadOnlySpan<char> body)
    {
        foreach (var marker in (ReadOnlySpan<string>)[" authenticator failed for ", " authenticator failed "])
        {
            var at = body.IndexOf(marker, StringComparison.Ordinal);
            if (at > 0)
            {
                return at + marker.Length;
            }
        }

        return null;
    }

    /// <summary>
    /// <c>SMTP protocol error in "AUTH LOGIN" H=(helo) [ip]:port I=[ip]:port AUTH command used when not advertised</c>,
    /// and its sibling <c>SMTP syntax error in "…" H=… unrecognized command</c>: the client broke the protocol.
    /// The detail is the command and what was wrong with it.
    /// </summary>
    private LineResult ProtocolError(ReadOnlySpan<char> body, LineContext context)
    {
        // The quoted command and the reason are the client's text and may hold a forged '" H=[ip]': the
        // client is the first host after '" H=' that reads, and a line naming two is blamed on no one.
        EximHost? host = null;
        string port = string.Empty;
        int at = -1, after = 0;
        for (var from = body.IndexOf("\" H=", StringComparison.Ordinal); from >= 0; from = NextQuotedHost(body, from))
        {
            var candidate = ReadHost(body[(from + 4)..], out var candidatePort, out var candidateAfter);
            if (candidate is null)
            {
                continue;
            }

            if (host is null)
            {
                (host, port, at, after) = (candidate, candidatePort, from + 1, candidateAfter);
            }
            else if (candidate.Ip != host.Ip)
            {
                return LineResult.Unrecognised("two clients named in exim protocol error line");
            }
        }

        if (host is null)
        {
            // A local submission names no host: nothing to blame.
            return body.Contains(" U=", StringComparison.Ordinal) ? LineResult.Skipped("exim.local_protocol_error")
                : body.Contains(" H=", StringComparison.Ordinal) ? LineResult.Unrecognised("unreadable host in exim protocol error line")
                : LineResult.Unrecognised("no client in exim protocol error line");
        }

        var reason = body[(at + 3 + after)..].TrimStart();
        if (reason.StartsWith("I=") && reason.IndexOf(' ') is var space and > 0)
        {
            reason = reason[(space + 1)..];
        }

        var command = body[..at];
        command = command[(command.IndexOf('"') + 1)..].TrimEnd('"');
        return Event(EventNames.ProtocolViolation, "exim.protocol_error", context, host, port, $"{command}: {reason.Trim()}");
    }

    private static int NextQuotedHost(ReadOnlySpan<char> body, int from)
    {
        var next = body[(from + 1)..].IndexOf("\" H=", StringComparison.Ordinal);
        return next < 0 ? -1 : from + 1 + next;
    }

    /// <summary>Refusals written with the client's fields first, by the words that say what was refused.</summary>
    private static readonly (string Marker, string Event, string Kind)[] RejectionMarkers =
    [
        (" rejected RCPT ", EventNames.RcptReject, "exim.rcpt_reject"),
        ("rejected RCPT ", EventNames.RcptReject, "exim.rcpt_reject"),
        (" rejected MAIL ", EventNames.Reject, "exim.mail_reject"),
        // Also finds "temporarily rejected connection in", with "temporarily" ending the client's fields.
        (" rejected connection in ", EventNames.Reject, "exim.connect_reject"),
        (" rejected after DATA", EventNames.Reject, "exim.reject_data"),
    ];

    /// <summary>
    /// A refusal: <paramref name="fields"/> are the client's (<c>H=… F=&lt;…&gt;</c>), <paramref name="what"/>
    /// starts with <c>rejected</c> or <c>temporarily rejected</c> and ends with the reason after <c>: </c>.
    /// </summary>
    private LineResult Rejection(ReadOnlySpan<char> fields, ReadOnlySpan<char> what, string eventName, string kind, LineContext context, string? messageId)
    {
        var parsed = EximFieldReader.Read(fields);
        var host = parsed.FirstOrDefault(f => f.Key == "H")?.Host;
        var sender = parsed.FirstOrDefault(f => f.Key == "F")?.Value ?? string.Empty;
        var temporary = fields.EndsWith(" temporarily") || what.StartsWith("temporarily");
        var recipient = string.Empty;
        var rest = what;
        var rcpt = rest.IndexOf("RCPT <", StringComparison.Ordinal);
        if (eventName == EventNames.RcptReject && rcpt >= 0)
        {
            var close = rest[(rcpt + 6)..].IndexOf('>');
            if (close >= 0)
            {
                recipient = rest.Slice(rcpt + 6, close).ToString();
                rest = rest[(rcpt + 6 + close + 1)..];
            }
        }
        else if (eventName == EventNames.Reject && rest.Contains("MAIL <", StringComparison.Ordinal))
        {
            var mail = rest.IndexOf("MAIL <", StringComparison.Ordinal);
            var close = rest[(mail + 6)..].IndexOf('>');
            if (close >= 0)
            {
                sender = rest.Slice(mail + 6, close).ToString();
                rest = rest[(mail + 6 + close + 1)..];
            }
        }

        var colon = rest.IndexOf(": ", StringComparison.Ordinal);
        var detail = (colon >= 0 ? rest[(colon + 2)..] : rest).Trim().Trim('"').ToString();
        var state = messageId is null ? null : Message(Key(context.Relay, messageId), context.Timestamp);
        var port = Port(fields);
        var session = host is null ? null : sessions.Find(SessionKey(context.Relay, host.Ip, port), context.Timestamp);
        return new LineResult(LineOutcome.Event, kind, new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = context.Relay,
            Source = Source,
            Event = eventName,
            ClientIp = host?.Ip ?? state?.ClientIp ?? string.Empty,
            ClientHost = host is null ? state?.ClientHost ?? string.Empty : HostName(host),
            // At the connect ACL no HELO has been given yet.
            Helo = host is null ? state?.Helo ?? string.Empty : kind == "exim.connect_reject" ? host.Helo : HeloOf(host),
            MailFrom = sender.Length > 0 ? sender : state?.MailFrom ?? string.Empty,
            RcptTo = recipient,
            SmtpCode = temporary ? (ushort)450 : (ushort)550,
            Reason = Reasons.Classify(detail),
            QueueId = messageId ?? string.Empty,
            SessionId = session?.Id ?? state?.SessionId ?? string.Empty,
            MessageId = state?.MessageId ?? string.Empty,
            Detail = detail,
            File = context.File,
            Line = (ulong)context.Line,
        });
    }

    /// <summary><c>&lt;= sender H=… P=… S=… id=…</c>: a message accepted; a bounce we made (<c>&lt;= &lt;&gt; R=parent</c>) is recorded as a notification sent.</summary>
    private LineResult Arrival(string id, ReadOnlySpan<char> rest, LineContext context)
    {
        var space = rest.IndexOf(' ');
        var sender = (space < 0 ? rest : rest[..space]).ToString();
        var fields = space < 0 ? [] : EximFieldReader.Read(rest[(space + 1)..]);
        string? Field(string key) => fields.FirstOrDefault(f => f.Key == key)?.Value;
        var host = fields.FirstOrDefault(f => f.Key == "H")?.Host;
        var port = Port(rest);
        var session = host is null ? null : sessions.Find(SessionKey(context.Relay, host.Ip, port), context.Timestamp);
        var state = Message(Key(context.Relay, id), context.Timestamp);
        state.ClientIp = host?.Ip ?? string.Empty;
        state.ClientHost = host is null ? string.Empty : HostName(host);
        state.Helo = host is null ? string.Empty : HeloOf(host);
        state.MailFrom = sender == "<>" ? string.Empty : sender;
        state.MessageId = Field("id") ?? string.Empty;
        state.SessionId = session?.Id ?? string.Empty;
        state.SaslUser = Field("A") is { } auth && auth.IndexOf(':') is var colon and >= 0 ? auth[(colon + 1)..] : string.Empty;
        state.Size = ulong.TryParse(Field("S"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;

        if (sender == "<>" && Field("R") is { } parent && messages.Find(Key(context.Relay, parent), context.Timestamp) is { } original)
        {
            // Exim's own bounce: recorded against the message that caused it, as Postfix's "sender non-delivery notification".
            return new LineResult(LineOutcome.Event, "exim.bounce_message", Build(EventNames.NdrSent, context, original, parent) with { Detail = id });
        }

        return new LineResult(LineOutcome.Event, "exim.arrival", Build(EventNames.Message, context, state, id) with { Size = state.Size });
    }

    /// <summary><c>=&gt; rcpt &lt;original&gt; R=… T=… H=…</c> and its defer (<c>==</c>) and bounce (<c>**</c>) siblings.</summary>
    private LineResult Delivery(string id, ReadOnlySpan<char> rest, string eventName, string kind, LineContext context)
    {
        var space = rest.IndexOf(' ');
        var recipient = (space < 0 ? rest : rest[..space]).TrimEnd(':').ToString();
        var tail = space < 0 ? [] : rest[(space + 1)..];
        var original = string.Empty;
        if (tail.StartsWith("<"))
        {
            var close = tail.IndexOf('>');
            if (close > 0)
            {
                original = tail[1..close].ToString();
                tail = tail[(close + 1)..].TrimStart();
            }
        }

        // Defers and bounces end with the reason after ": "; the field list comes before it.
        var detail = string.Empty;
        var reasonAt = eventName == EventNames.Delivery ? -1 : tail.IndexOf(": ", StringComparison.Ordinal);
        if (reasonAt >= 0)
        {
            detail = tail[(reasonAt + 2)..].Trim().ToString();
            tail = tail[..reasonAt];
        }

        var fields = EximFieldReader.Read(tail);
        var host = fields.FirstOrDefault(f => f.Key == "H")?.Host;
        if (eventName == EventNames.Delivery)
        {
            detail = fields.FirstOrDefault(f => f.Key == "C")?.Value ?? string.Empty;
        }

        var state = Message(Key(context.Relay, id), context.Timestamp);
        var port = Port(tail);
        return new LineResult(LineOutcome.Event, kind, Build(eventName, context, state, id) with
        {
            RcptTo = recipient,
            OrigRcptTo = original,
            NextHop = host is null ? (fields.FirstOrDefault(f => f.Key == "T")?.Value is { Length: > 0 } transport ? transport : string.Empty)
                : $"{(host.Name.Length > 0 ? host.Name : host.Ip)}[{host.Ip}]{(port.Length > 0 ? ":" + port : string.Empty)}",
            Detail = detail,
            SmtpCode = SmtpCode(detail),
            Reason = eventName == EventNames.Delivery ? string.Empty : Reasons.Classify(detail),
        });
    }

    /// <summary><c>NAME authenticator failed for host (helo) [ip]:port: 535 Incorrect authentication data (set_id=user)</c>.</summary>
    private LineResult AuthFailure(ReadOnlySpan<char> spec, LineContext context)
    {
        // Some versions write the client as a field: "failed for H=(helo) [ip] U=user: 435 …".
        spec = spec.StartsWith("H=") ? spec[2..] : spec;
        var host = ReadHost(spec, out var port, out var after);
        if (host is null)
        {
            // A local submission's login ("failed for U=user: 535 …") names no address to blame.
            return IsLocal(spec) && spec.StartsWith("U=") ? LineResult.Skipped("exim.local_auth_failure") : LineResult.Unrecognised("unreadable host in exim authenticator line");
        }

        // What follows the client (and any I=[ip]:port) after ": " is the reply: "535 Incorrect authentication data (set_id=user)".
        var detail = spec[after..];
        detail = detail[(detail.IndexOf(": ", StringComparison.Ordinal) + 1)..].Trim();
        var user = detail.IndexOf("(set_id=", StringComparison.Ordinal) is var at and >= 0 && detail[(at + 8)..].IndexOf(')') is var close and >= 0
            ? detail.Slice(at + 8, close).ToString() : string.Empty;
        var smtp = Event(EventNames.AuthFailure, "exim.auth_failure", context, host, port, detail.ToString(), SmtpCode(detail));
        return smtp with { Event = smtp.Event! with { SaslUser = user } };
    }

    /// <summary>A line whose client is in an <c>H=</c> field somewhere in it.</summary>
    private LineResult WithHostField(ReadOnlySpan<char> body, string eventName, string kind, LineContext context)
    {
        var at = body.IndexOf(" H=", StringComparison.Ordinal);
        if (at < 0)
        {
            return LineResult.Skipped(kind);
        }

        var spec = body[(at + 3)..];
        var host = ReadHost(spec, out var port, out _);
        return host is null ? LineResult.Unrecognised("unreadable host in " + kind) : Event(eventName, kind, context, host, port, body[..at].ToString());
    }

    private LineResult Event(string eventName, string kind, LineContext context, EximHost host, string port, string detail = "", ushort code = 0)
    {
        var session = sessions.Find(SessionKey(context.Relay, host.Ip, port), context.Timestamp);

        return new LineResult(LineOutcome.Event, kind, new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = context.Relay,
            Source = Source,
            Event = eventName,
            ClientIp = host.Ip,
            ClientHost = HostName(host),
            Helo = host.Helo.Length > 0 ? host.Helo : session?.Host.Helo ?? string.Empty,
            SessionId = session?.Id ?? string.Empty,
            SmtpCode = code,
            Reason = eventName == EventNames.Reject ? Reasons.Classify(detail) : string.Empty,
            Detail = detail,
            File = context.File,
            Line = (ulong)context.Line,
        });
    }

    private SmtpEvent Build(string eventName, LineContext context, MessageState state, string id) =>
        state.ToEvent(Source, eventName, context.Timestamp, context.Relay, id, context.File, context.Line);

    /// <summary>Reads <c>name (helo) [ip]:port</c> from the start of <paramref name="spec"/>; null when it is not one.</summary>
    private static EximHost? ReadHost(ReadOnlySpan<char> spec, out string port, out int after) =>
        EximFieldReader.TryReadHost(spec, 0, out var host, out port, out after) ? host : null;

    /// <summary>The port of the first <c>[ip]:port</c> in a field list, or empty.</summary>
    private static string Port(ReadOnlySpan<char> text)
    {
        var close = text.IndexOf("]:", StringComparison.Ordinal);
        if (close < 0)
        {
            return string.Empty;
        }

        var digits = text[(close + 2)..];
        var length = 0;
        while (length < digits.Length && char.IsAsciiDigit(digits[length]))
        {
            length++;
        }

        return digits[..length].ToString();
    }

    /// <summary>
    /// The HELO of a client in a line written after it: Exim shows <c>(helo)</c> only when it differs
    /// from the verified name, so without it the HELO was that name.
    /// </summary>
    private static string HeloOf(EximHost host) => host.Helo.Length > 0 ? host.Helo : host.Name;

    /// <summary>The name Exim verified; <c>unknown</c> when it shows none, as Postfix logs it.</summary>
    private static string HostName(EximHost host) => host.Name.Length > 0 ? host.Name : "unknown";

    /// <summary>The first three-digit SMTP code in a reply text (<c>550 5.1.1 …</c>), 0 when none.</summary>
    private static ushort SmtpCode(ReadOnlySpan<char> text)
    {
        for (var i = 0; i + 3 <= text.Length; i++)
        {
            if (text[i] is >= '2' and <= '5' && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2])
                && (i == 0 || !char.IsAsciiDigit(text[i - 1])) && (i + 3 == text.Length || !char.IsAsciiDigit(text[i + 3])))
            {
                return ushort.Parse(text.Slice(i, 3), NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Whether a connection is local: its specification names no bracketed address.</summary>
    private static bool IsLocal(ReadOnlySpan<char> spec) => !spec.Contains('[');

    private static bool StartsWithAny(ReadOnlySpan<char> text)
    {
        foreach (var start in SkippedStarts)
        {
            if (text.StartsWith(start))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the body starts with a message id (6-6-2 or 6-11-4 base-62 digits) and a space or its end.</summary>
    private static bool IsMessageId(ReadOnlySpan<char> body, out int length)
    {
        foreach (var candidate in (ReadOnlySpan<int>)[16, 23])
        {
            if (body.Length >= candidate && (body.Length == candidate || body[candidate] == ' ') && body[6] == '-' && body[candidate - (candidate == 16 ? 3 : 5)] == '-')
            {
                var id = body[..candidate];
                var ok = true;
                for (var i = 0; i < id.Length && ok; i++)
                {
                    ok = id[i] == '-' ? i == 6 || i == candidate - (candidate == 16 ? 3 : 5) : char.IsAsciiLetterOrDigit(id[i]);
                }

                if (ok)
                {
                    length = candidate;
                    return true;
                }
            }
        }

        length = 0;
        return false;
    }

    /// <summary>
    /// The time and relay of a line and where its text begins. Native lines start with the date; lines
    /// through syslog carry a syslog header and the program <c>exim</c> or <c>exim4</c>. The relay is
    /// <c>--relay</c>, else the syslog host, else (a native mainlog names no host) the folder the file is in.
    /// </summary>
    private static bool TryReadPrefix(ReadOnlySpan<char> line, LineOrigin origin, out DateTimeOffset timestamp, out string relay, out int bodyStart, out string? why)
    {
        timestamp = default;
        relay = string.Empty;
        bodyStart = 0;
        why = null;
        if (line.Length > 19 && char.IsAsciiDigit(line[0]) && line[4] == '-' && line[10] == ' ')
        {
            if (!TryReadNativePrefix(line, out var stamp, out bodyStart))
            {
                why = "unreadable exim timestamp";
                return false;
            }

            try
            {
                timestamp = stamp.OffsetMinutes is { } offset
                    ? new DateTimeOffset(stamp.Year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, TimeSpan.FromMinutes(offset)).AddTicks(stamp.Microsecond * 10L).ToUniversalTime()
                    : origin.Timestamps.FromLocal(stamp.Year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, stamp.Microsecond);
            }
            catch (ArgumentOutOfRangeException)
            {
                why = "impossible exim timestamp";
                return false;
            }

            relay = origin.Relay ?? origin.FolderOr("exim");
            return true;
        }

        if (!SyslogHeaderReader.TryRead(line, origin.Timestamps, out var header))
        {
            why = "no exim or syslog timestamp";
            return false;
        }

        var program = line[header.Program];
        if (!program.SequenceEqual("exim") && !program.SequenceEqual("exim4"))
        {
            return false;
        }

        timestamp = header.Timestamp;
        relay = origin.RelayOf(header, line, "exim");
        bodyStart = header.MessageStart;
        return true;
    }

    /// <summary>
    /// <see cref="EximGrammar.Prefix"/> read without allocating: the stamp, then the pid when logged.
    /// A test checks that it ends where the grammar does on every line of the corpora.
    /// </summary>
    internal static bool TryReadNativePrefix(ReadOnlySpan<char> line, out EximTimestamp stamp, out int bodyStart)
    {
        if (!TryReadTimestamp(line, out stamp, out bodyStart))
        {
            return false;
        }

        // " [pid]", as EximGrammar.Pid reads it: digits in brackets.
        if (bodyStart + 3 < line.Length && line[bodyStart] == ' ' && line[bodyStart + 1] == '[' && char.IsAsciiDigit(line[bodyStart + 2]))
        {
            var close = bodyStart + 2;
            while (close < line.Length && char.IsAsciiDigit(line[close]))
            {
                close++;
            }

            if (close < line.Length && line[close] == ']')
            {
                bodyStart = close + 1;
            }
        }

        bodyStart += bodyStart < line.Length && line[bodyStart] == ' ' ? 1 : 0;
        return true;
    }

    /// <summary>
    /// <see cref="EximGrammar.Timestamp"/> read at fixed positions, without allocating: the grammar is
    /// the reference, and a test checks that both read every stamp of the corpora alike.
    /// </summary>
    internal static bool TryReadTimestamp(ReadOnlySpan<char> line, out EximTimestamp stamp, out int end)
    {
        stamp = default;
        end = 0;
        if (line.Length < 19 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':'
            || !Digits(line[..4], out var year) || !Digits(line.Slice(5, 2), out var month) || !Digits(line.Slice(8, 2), out var day)
            || !Digits(line.Slice(11, 2), out var hour) || !Digits(line.Slice(14, 2), out var minute) || !Digits(line.Slice(17, 2), out var second))
        {
            return false;
        }

        end = 19;
        var microsecond = 0;
        if (end + 1 < line.Length && line[end] == '.' && char.IsAsciiDigit(line[end + 1]))
        {
            var digits = 0;
            while (end + 1 + digits < line.Length && char.IsAsciiDigit(line[end + 1 + digits]))
            {
                microsecond = digits < 6 ? (microsecond * 10) + (line[end + 1 + digits] - '0') : microsecond;
                digits++;
            }

            for (var i = digits; i < 6; i++)
            {
                microsecond *= 10;
            }

            end += 1 + digits;
        }

        int? offset = null;
        if (end + 5 < line.Length && line[end] == ' ' && line[end + 1] is '+' or '-' && Digits(line.Slice(end + 2, 4), out var hhmm))
        {
            offset = (line[end + 1] == '-' ? -1 : 1) * (((hhmm / 100) * 60) + (hhmm % 100));
            end += 6;
        }

        stamp = new EximTimestamp(year, month, day, hour, minute, second, microsecond, offset);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);


    private MessageState Message(string key, DateTimeOffset now) => messages.GetOrAdd(key, now, static () => new MessageState());

    private void Sweep(DateTimeOffset now)
    {
        linesSinceSweep = 0;
        sessions.Sweep(now - Horizon);
        messages.Sweep(now - Horizon);
    }

    private static string Key(string relay, string id) => relay + "/" + id;

    private static string SessionKey(string relay, string ip, string port) => $"{relay}/{ip}/{port}";

    private readonly record struct LineContext(DateTimeOffset Timestamp, string Relay, string File, long Line);

    /// <summary>A kind of line that starts with <paramref name="Start"/> and then names the client.</summary>
    private sealed record ClientLineKind(string Name, string Start, string Event, string? Contains = null);

    private sealed class Session(string id, EximHost host) : ICorrelationState
    {
        public string Id { get; } = id;

        public EximHost Host { get; } = host;

        public DateTimeOffset LastSeen { get; set; }
    }
}
