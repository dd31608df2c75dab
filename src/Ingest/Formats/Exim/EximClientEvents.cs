using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;
using static RelayWatch.Ingest.Formats.Exim.EximFieldReader;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// The events of lines about a client rather than a message — connects and closes, timeouts, failed
/// logins, protocol errors, blocklist warnings — read from the fields <see cref="EximLineKinds"/> captured.
/// </summary>
internal sealed class EximClientEvents(EximCorrelation correlation)
{
    /// <summary>
    /// Fixed words, then the client, then what Exim says of it (after its own <c>I=</c>, <c>Ci=</c>
    /// and <c>U=</c> fields), which the kind's tails must know when it has any. A connection's tails open and close sessions.
    /// </summary>
    public LineResult ClientLine(EximLineKind kind, ReadOnlySpan<char> spec, EventStamp stamp)
    {
        var host = ReadHost(spec, out var port, out var after);
        if (host is null)
        {
            // A local submission (SMTP over a pipe) names a user, not an address.
            return IsLocal(spec) ? LineResult.Skipped("exim.local_connection")
                : LineResult.Unrecognised(kind.Reading == EximReading.Connection ? "unreadable host in exim connection line" : "unreadable host in " + kind.Name);
        }

        var tail = spec[after..].Trim();
        var (eventName, name) = (kind.Kind.Event, kind.Name);
        if (kind.Tails is { } tails)
        {
            var said = tail;
            while (said.StartsWith("I=") || said.StartsWith("Ci=") || said.StartsWith("U="))
            {
                said = said.IndexOf(' ') is var space and > 0 ? said[(space + 1)..].TrimStart() : [];
            }

            var known = Known(tails, said);
            if (known is null)
            {
                return LineResult.Unrecognised("unknown ending of " + kind.Name + " line");
            }

            if (known.Event is null)
            {
                return LineResult.Skipped(known.Name);
            }

            (eventName, name) = (known.Event, known.Name);
        }

        if (kind.Reading != EximReading.Connection)
        {
            return Event(eventName!, name, stamp, host, port, tail.ToString());
        }

        if (eventName == EventNames.Connect)
        {
            correlation.Open(stamp, host, port);
            return Event(eventName, name, stamp, host, port);
        }

        var closed = Event(eventName!, name, stamp, host, port, detail: tail.ToString());
        correlation.Close(stamp, host, port);
        return closed;
    }

    /// <summary><c>rejected HELO from {client}: reason</c>; a local client's names no address to blame.</summary>
    public LineResult HeloRefusal(EximLineKind kind, ReadOnlySpan<char> spec, EventStamp stamp)
    {
        var host = ReadHost(spec, out var port, out var after);
        return host is null ? LineResult.Skipped("exim.helo_reject_local")
            : Event(kind.Kind.Event!, kind.Name, stamp, host, port, spec[after..].TrimStart(':').Trim().ToString(), kind.Code);
    }

    /// <summary><c>NAME authenticator failed for host (helo) [ip]:port: 535 Incorrect authentication data (set_id=user)</c>.</summary>
    public LineResult AuthFailure(ReadOnlySpan<char> spec, EventStamp stamp)
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
        return Event(EventNames.AuthFailure, "exim.auth_failure", stamp, host, port, detail.ToString(), SmtpReply.FirstCode(detail), user);
    }

    /// <summary>
    /// <c>SMTP protocol error in "AUTH LOGIN" H=(helo) [ip]:port I=[ip]:port AUTH command used when not advertised</c>,
    /// and its sibling <c>SMTP syntax error in "…" H=… unrecognized command</c>: the client broke the protocol.
    /// The detail is the command and what was wrong with it.
    /// </summary>
    public LineResult ProtocolError(ReadOnlySpan<char> body, EventStamp stamp)
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
        return Event(EventNames.ProtocolViolation, "exim.protocol_error", stamp, host, port, $"{command}: {reason.Trim()}");
    }

    /// <summary>
    /// <c>SMTP protocol synchronization error (next input sent too soon: …): rejected "CMD" H=… next input="…"</c>
    /// and <c>(input sent without waiting for greeting): rejected connection from H=… input="…"</c>. The command,
    /// the HELO inside <c>H=</c> and the input are the client's text; the client is what Exim's own field
    /// names (<see cref="EximClientField"/>), and a line that reads two ways is blamed on no one.
    /// </summary>
    public LineResult SynchronizationError(EximLineKind kind, ReadOnlySpan<char> body, bool beforeGreeting, EventStamp stamp)
    {
        var (starts, end) = beforeGreeting ? (" H=", " input=") : ("\" H=", " next input=");
        // Before the greeting the client has said nothing yet but the input that comes after Exim's field.
        if (!EximClientField.TryRead(body, starts, firstOnly: beforeGreeting, end, out var host, out var port, out var at, out var ambiguous))
        {
            return LineResult.Unrecognised(ambiguous ? "two clients named in exim synchronization error line" : "unreadable host in " + kind.Name);
        }

        // The detail is Exim's complaint and the rejected command, without the client's early input.
        var detail = body[..(at + starts.Length - 3)];
        return Event(kind.Kind.Event!, kind.Name, stamp, host, port, detail.ToString());
    }

    /// <summary>
    /// <c>H=… Warning: text</c>, what an ACL's <c>warn … log_message</c> writes. A DNS list's verdict
    /// (<c>warn dnslists = zen.example log_message = $sender_host_address is in $dnslist_domain</c>,
    /// or <c>found in zen.example</c>) is the client's blocklist hit, as postscreen's DNSBL rank is;
    /// other warnings say what the configuration chose to say and are kept as notes.
    /// </summary>
    public LineResult? Warning(ReadOnlySpan<char> fields, ReadOnlySpan<char> text, EventStamp stamp)
    {
        if (!fields.StartsWith("H=") && !fields.StartsWith("U="))
        {
            return null;
        }

        var listed = text.StartsWith("found in ") || text.Contains(" is in ", StringComparison.Ordinal) || text.Contains(" is listed in ", StringComparison.Ordinal);
        var port = string.Empty;
        var host = listed && fields.StartsWith("H=") ? ReadHost(fields[2..], out port, out _) : null;
        return host is null ? LineResult.Skipped("exim.warning") : Event(EventNames.Dnsbl, "exim.dnsbl", stamp, host, port, text.Trim().ToString());
    }

    private static int NextQuotedHost(ReadOnlySpan<char> body, int from)
    {
        var next = body[(from + 1)..].IndexOf("\" H=", StringComparison.Ordinal);
        return next < 0 ? -1 : from + 1 + next;
    }

    private static LineKind? Known(IReadOnlyList<LineKind> tails, ReadOnlySpan<char> said)
    {
        Span<Range> captures = stackalloc Range[2];
        // By index: a foreach over the interface would allocate an enumerator on every connection line.
        for (var i = 0; i < tails.Count; i++)
        {
            var tail = tails[i];
            if (tail.Template.TryMatch(said, captures))
            {
                return tail;
            }
        }

        return null;
    }

    private LineResult Event(string eventName, string kind, EventStamp stamp, EximHost host, string port, string detail = "", ushort code = 0, string saslUser = "")
    {
        var session = correlation.Find(stamp, host, port);
        return new LineResult(LineOutcome.Event, kind, new SmtpEvent(stamp, eventName)
        {
            ClientIp = host.Ip,
            ClientHost = host.VerifiedName,
            Helo = host.Helo.Length > 0 ? host.Helo : session?.Host.Helo ?? string.Empty,
            SessionId = session?.Id ?? string.Empty,
            SaslUser = saslUser,
            SmtpCode = code,
            Reason = eventName == EventNames.Reject ? ReplyReasons.Classify(detail) : string.Empty,
            Detail = detail,
        });
    }
}
