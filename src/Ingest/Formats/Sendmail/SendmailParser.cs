using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// Reads Sendmail's syslog records (<c>sm-mta</c>, <c>sendmail</c>, and other <c>sm-*</c> instance names),
/// joined by queue id and by process: a connection is one process, so the client any of its lines names
/// (<c>relay=host [ip]</c>) is the client of its others. Stored: <c>from=</c> as a message accepted (when it
/// has recipients), <c>to=</c> as a delivery, deferral or bounce by its <c>stat=</c>, <c>ruleset=check_*</c>
/// refusals, <c>&lt;addr&gt;... User unknown</c>, AUTH failures, lost input channels, pre-greeting
/// traffic, timeouts, connects (at LogLevel 10 and above), and the DSNs Sendmail sends.
/// <para>
/// Sendmail names a refused recipient before the line that names the client (<c>from=</c>, written when
/// the envelope ends): such a refusal waits, and is released with the client as soon as a line of its
/// queue id or process names it — or, still without, when ten minutes of log have passed or ingest cuts
/// the batch its line is in (<see cref="ILogParser.TakeWaiting"/>), so nothing is held across a checkpoint.
/// </para>
/// </summary>
internal sealed class SendmailParser : ILogParser
{
    /// <summary>How long a process's client is trusted to be the client of its later lines: a connection is short, and pids are reused.</summary>
    private static readonly TimeSpan SessionIdle = TimeSpan.FromMinutes(10);

    /// <summary>Refusals waiting at most: those of envelopes in flight, a few even under a harvest; the oldest goes first beyond it.</summary>
    private const int MaxWaiting = 1_000;

    private readonly CorrelationMap<string, ClientSession> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, MessageState> messages = new(StringComparer.Ordinal);
    private readonly List<Waiting> waiting = [];
    private readonly List<SmtpEvent> released = [];
    private readonly List<KeyValuePair<string, string>> fields = [];
    private long linesSinceSweep;

    public string Source => "sendmail";

    /// <summary>How long a message's state may sit idle before it is dropped. Default 7 days (Sendmail's queue lifetime is 5).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7);

    public int WaitingEvents => waiting.Count;

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (!SyslogHeaderReader.TryRead(line, origin.Timestamps, out var header))
        {
            return LineResult.Unrecognised("no syslog header");
        }

        var program = line[header.Program];
        if (!program.StartsWith("sm-") && !program.SequenceEqual("sendmail"))
        {
            return LineResult.Skipped("other program");
        }

        if (++linesSinceSweep >= 50_000)
        {
            linesSinceSweep = 0;
            sessions.Sweep(header.Timestamp - Horizon);
            messages.Sweep(header.Timestamp - Horizon);
        }

        // A refusal whose client no line named within a session's time (or across a jump of the clock) is released as it is: waiting stays short.
        while (waiting.Count > 0 && (header.Timestamp - waiting[0].Event.Timestamp).Duration() > SessionIdle)
        {
            released.Add(waiting[0].Event);
            waiting.RemoveAt(0);
        }

        var body = line[header.MessageStart..].TrimEnd();
        var qid = QueueId(body, out var rest);
        var context = new LineContext(header.Timestamp, origin.RelayOf(header, line, "sendmail"), header.Pid, qid, origin.File, lineNumber);
        return rest switch
        {
            _ when rest.StartsWith("from=") => From(rest, context),
            _ when rest.StartsWith("to=") => To(rest, context),
            _ when rest.StartsWith("ruleset=") => Ruleset(rest, context),
            _ when rest.StartsWith("Milter: ") => Milter(rest["Milter: ".Length..], context),
            _ when rest.StartsWith("<") && rest.Contains(">... ", StringComparison.Ordinal) => RecipientError(rest, context),
            _ when rest.StartsWith("AUTH=server") || rest.StartsWith("STARTTLS=server") => ClientNote(rest, context),
            _ when rest.StartsWith("AUTH failure") => AuthFailure(rest, context),
            _ when QueueId(rest, out var dsn) is not null && dsn.StartsWith("DSN: ") => Dsn(dsn, context),
            _ => HostLine(rest, context),
        };
    }

    public IReadOnlyList<SmtpEvent> TakeReleased()
    {
        if (released.Count == 0)
        {
            return [];
        }

        var taken = released.ToList();
        released.Clear();
        return taken;
    }

    public IReadOnlyList<SmtpEvent> TakeWaiting(string file)
    {
        var taken = TakeReleased().ToList();
        taken.AddRange(waiting.Where(w => w.File == file).Select(w => w.Event));
        waiting.RemoveAll(w => w.File == file);
        return taken;
    }

    /// <summary><c>from=&lt;a@b&gt;, size=1234, class=0, nrcpts=1, msgid=&lt;id&gt;, proto=ESMTP, daemon=MTA, relay=host [ip]</c>.</summary>
    private LineResult From(ReadOnlySpan<char> rest, LineContext context)
    {
        if (!SendmailFields.TrySplit(rest, fields))
        {
            return LineResult.Unrecognised("unreadable sendmail from= record");
        }

        var client = LastRelay();
        var session = client is null ? SessionOf(context) : Connect(context, client.Value);
        var state = context.Qid is null ? new MessageState() : messages.GetOrAdd(MessageKey(context), context.Timestamp, static () => new MessageState());
        state.MailFrom = Unangle(Field("from"));
        state.MessageId = Unangle(Field("msgid"));
        state.Size = ulong.TryParse(Field("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;
        if (session is not null)
        {
            (state.ClientIp, state.ClientHost, state.SessionId, state.SaslUser) = (session.Ip, session.Host, session.Id, session.SaslUser);
            Release(context, session, state);
        }

        if (!int.TryParse(Field("nrcpts"), NumberStyles.None, CultureInfo.InvariantCulture, out var recipients) || recipients == 0)
        {
            // Every recipient was refused: nothing was accepted; the line only named the client.
            return LineResult.Skipped("sendmail.from_without_recipients");
        }

        return new LineResult(LineOutcome.Event, "sendmail.from", Build(EventNames.Message, state, context) with { Size = state.Size });
    }

    /// <summary><c>to=&lt;x@y&gt;, delay=…, mailer=esmtp, pri=…, relay=host. [ip], dsn=2.0.0, stat=Sent (…)</c>.</summary>
    private LineResult To(ReadOnlySpan<char> rest, LineContext context)
    {
        if (!SendmailFields.TrySplit(rest, fields))
        {
            return LineResult.Unrecognised("unreadable sendmail to= record");
        }

        var stat = Field("stat");
        var (eventName, kind) = stat.StartsWith("Sent", StringComparison.Ordinal) ? (EventNames.Delivery, "sendmail.sent")
            : stat.StartsWith("Deferred", StringComparison.Ordinal) || stat.StartsWith("queued", StringComparison.Ordinal) ? (EventNames.Defer, "sendmail.deferred")
            : (EventNames.Bounce, "sendmail.bounced");
        var state = context.Qid is null ? new MessageState() : messages.GetOrAdd(MessageKey(context), context.Timestamp, static () => new MessageState());
        return new LineResult(LineOutcome.Event, kind, Build(eventName, state, context) with
        {
            RcptTo = string.Join(",", Field("to").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Unangle)),
            NextHop = Field("relay"),
            Dsn = Field("dsn"),
            Detail = stat,
            SmtpCode = eventName == EventNames.Delivery ? (ushort)0 : Code(stat),
            Reason = eventName == EventNames.Delivery ? string.Empty : Reasons.Classify(stat),
        });
    }

    /// <summary><c>ruleset=check_rcpt, arg1=&lt;x@y&gt;, relay=host [ip], reject=550 5.7.1 &lt;x@y&gt;... Relaying denied</c>.</summary>
    private LineResult Ruleset(ReadOnlySpan<char> rest, LineContext context)
    {
        if (!SendmailFields.TrySplit(rest, fields))
        {
            return LineResult.Unrecognised("unreadable sendmail ruleset record");
        }

        var reject = Field("reject");
        if (reject.Length == 0)
        {
            return LineResult.Skipped("sendmail.ruleset_note");
        }

        var ruleset = Field("ruleset");
        var argument = Unangle(Field("arg1"));
        var throttled = Array.Exists(SendmailGrammar.RateLimitReplies, r => reject.Contains(r, StringComparison.Ordinal));
        var smtp = Refusal(
            throttled ? EventNames.RateLimited : ruleset == "check_rcpt" ? EventNames.RcptReject : EventNames.Reject,
            ruleset == "check_rcpt" ? argument : string.Empty,
            ruleset == "check_mail" ? argument : string.Empty,
            reject,
            Code(reject),
            context);
        // A recipient logged without angle brackets can forge a whole ", relay=…, reject=…": then the reply that
        // echoes it holds a relay= too, and which relay= is Sendmail's own cannot be told. The refusal then takes
        // its client from the envelope's from= line (relay= last), as a refusal logged before its client does.
        var client = SendmailFields.ContainsField(reject, "relay") ? null : LastRelay();
        return Emit(client is null ? null : Connect(context, client.Value), smtp, "sendmail." + ruleset, context);
    }

    /// <summary>
    /// <c>Milter: to=&lt;x@ours.example&gt;, reject=451 4.7.1 Greylisting in action, please come back later</c>:
    /// a milter (milter-greylist, a spam filter) refused a recipient (<c>to=</c>), the sender (<c>from=</c>)
    /// or the message (<c>data, reject=…</c>). A milter line that refuses nothing is a note.
    /// </summary>
    private LineResult Milter(ReadOnlySpan<char> rest, LineContext context)
    {
        // Outside the recipient or sender in angle brackets: those are the client's words.
        var at = QuotedText.IndexOfOutside(rest, "reject=");
        if (at < 0)
        {
            return LineResult.Skipped("sendmail.milter_note");
        }

        var reject = rest[(at + "reject=".Length)..].ToString();
        var subject = rest[..at].TrimEnd(' ').TrimEnd(',');
        var recipient = subject.StartsWith("to=") ? Unangle(subject["to=".Length..].ToString()) : string.Empty;
        var sender = subject.StartsWith("from=") ? Unangle(subject["from=".Length..].ToString()) : string.Empty;
        var smtp = Refusal(recipient.Length > 0 ? EventNames.RcptReject : EventNames.Reject, recipient, sender, reject, Code(reject), context);
        return Emit(null, smtp, "sendmail.milter", context);
    }

    /// <summary><c>&lt;x@ours.example&gt;... User unknown</c>: the client comes later, with <c>from=</c>.</summary>
    private LineResult RecipientError(ReadOnlySpan<char> rest, LineContext context)
    {
        var close = rest.IndexOf(">... ", StringComparison.Ordinal);
        var detail = rest[(close + ">... ".Length)..].ToString();
        var smtp = Refusal(EventNames.RcptReject, rest[1..close].ToString(), string.Empty, detail, 550, context);
        return Emit(null, smtp, "sendmail.recipient_error", context);
    }

    /// <summary>A refusal of a recipient or of the client's mail, its reason read from its text; the client is added when known (<see cref="Emit"/>).</summary>
    private SmtpEvent Refusal(string eventName, string rcptTo, string mailFrom, string detail, ushort code, LineContext context) => new()
    {
        Timestamp = context.Timestamp,
        Relay = context.Relay,
        Source = Source,
        Event = eventName,
        RcptTo = rcptTo,
        MailFrom = mailFrom,
        SmtpCode = code,
        Reason = Reasons.Classify(detail),
        QueueId = context.Qid ?? string.Empty,
        Detail = detail,
        File = context.File,
        Line = (ulong)context.Line,
    };

    /// <summary><c>AUTH=server, relay=…, authid=user, mech=LOGIN</c> and <c>STARTTLS=server, relay=…</c>: they name the process's client.</summary>
    private LineResult ClientNote(ReadOnlySpan<char> rest, LineContext context)
    {
        if (SendmailFields.TrySplit(rest, fields) && LastRelay() is { } client)
        {
            var session = Connect(context, client);
            session.SaslUser = Field("authid") is { Length: > 0 } user ? user : session.SaslUser;
            Release(context, session, null);
        }

        return LineResult.Skipped(rest.StartsWith("AUTH") ? "sendmail.auth" : "sendmail.starttls");
    }

    /// <summary><c>AUTH failure (LOGIN): authentication failure (-13) SASL(-13): …, user=admin, relay=host [ip]</c>.</summary>
    private LineResult AuthFailure(ReadOnlySpan<char> rest, LineContext context)
    {
        var relayAt = rest.LastIndexOf("relay=", StringComparison.Ordinal);
        var userAt = rest.LastIndexOf("user=", StringComparison.Ordinal);
        var client = relayAt < 0 ? null : Client(rest[(relayAt + "relay=".Length)..]);
        var user = userAt < 0 ? string.Empty : rest[(userAt + "user=".Length)..].ToString();
        user = user.IndexOf(',') is var comma and >= 0 ? user[..comma] : user;
        var smtp = new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = context.Relay,
            Source = Source,
            Event = EventNames.AuthFailure,
            SaslUser = user,
            Detail = rest.ToString(),
            File = context.File,
            Line = (ulong)context.Line,
        };
        return Emit(client is null ? null : Connect(context, client.Value), smtp, "sendmail.auth_failure", context);
    }

    /// <summary>A line about the connection that names its client in its text (<see cref="SendmailGrammar.HostLineKinds"/>); any other line is a note.</summary>
    private LineResult HostLine(ReadOnlySpan<char> rest, LineContext context)
    {
        Span<Range> captures = stackalloc Range[8];
        foreach (var kind in SendmailGrammar.HostLineKinds)
        {
            if (!kind.Template.TryMatch(rest, captures))
            {
                continue;
            }

            var fields = new Templates.LineFields(rest, kind.Template, captures);
            if (Client(fields.Get("client")) is not { } client)
            {
                return LineResult.Unrecognised("no client address in sendmail " + kind.Name["sendmail.".Length..].Replace('_', ' ') + " line");
            }

            var session = Connect(context, client);
            Release(context, session, null);
            var smtp = new SmtpEvent
            {
                Timestamp = context.Timestamp,
                Relay = context.Relay,
                Source = Source,
                Event = kind.Event!,
                QueueId = context.Qid ?? string.Empty,
                Detail = kind.Event == EventNames.Connect ? string.Empty : rest.ToString(),
                File = context.File,
                Line = (ulong)context.Line,
            };
            return Emit(session, smtp, kind.Name, context);
        }

        return LineResult.Skipped("sendmail.note");
    }

    /// <summary><c>qid: dsnqid: DSN: reason</c>: Sendmail sent a notification for the message <c>qid</c>.</summary>
    private LineResult Dsn(ReadOnlySpan<char> rest, LineContext context)
    {
        var state = context.Qid is null ? new MessageState() : messages.GetOrAdd(MessageKey(context), context.Timestamp, static () => new MessageState());
        return new LineResult(LineOutcome.Event, "sendmail.dsn", Build(EventNames.NdrSent, state, context) with { Detail = rest["DSN: ".Length..].ToString() });
    }

    /// <summary>The event now with its client when the line, its message or its process names one; else it waits for a later line of them.</summary>
    private LineResult Emit(ClientSession? session, SmtpEvent smtp, string kind, LineContext context)
    {
        var state = context.Qid is null ? null : messages.Find(MessageKey(context), context.Timestamp);
        session ??= state is { ClientIp.Length: > 0 } known ? new ClientSession(known.SessionId, known.ClientIp, known.ClientHost) : SessionOf(context);
        if (session is not null)
        {
            return new LineResult(LineOutcome.Event, kind, WithClient(smtp, session, state));
        }

        if (waiting.Count >= MaxWaiting)
        {
            released.Add(waiting[0].Event);
            waiting.RemoveAt(0);
        }

        waiting.Add(new Waiting(context.File, context.Relay, context.Pid, context.Qid, smtp));
        return new LineResult(LineOutcome.Event, kind, null);
    }

    /// <summary>A line named the client of a process (and of a message): what waited for it is complete.</summary>
    private void Release(LineContext context, ClientSession session, MessageState? state)
    {
        for (var i = 0; i < waiting.Count; i++)
        {
            var w = waiting[i];
            if (w.Relay == context.Relay && (w.Pid == context.Pid || (w.Qid is not null && w.Qid == context.Qid)))
            {
                released.Add(WithClient(w.Event, session, state));
                waiting.RemoveAt(i--);
            }
        }
    }

    private static SmtpEvent WithClient(SmtpEvent smtp, ClientSession session, MessageState? state) => smtp with
    {
        ClientIp = session.Ip,
        ClientHost = session.Host,
        SessionId = session.Id,
        SaslUser = smtp.SaslUser.Length > 0 ? smtp.SaslUser : session.SaslUser,
        MailFrom = smtp.MailFrom.Length > 0 ? smtp.MailFrom : state?.MailFrom ?? string.Empty,
    };

    /// <summary>The process's session, started afresh when it names another client (a reused pid).</summary>
    private ClientSession Connect(LineContext context, (string Host, string Ip) client)
    {
        var key = SessionKey(context);
        var session = sessions.Peek(key);
        if (session is null || session.Ip != client.Ip || context.Timestamp - session.LastSeen > SessionIdle)
        {
            session = new ClientSession(string.Create(CultureInfo.InvariantCulture, $"{context.Relay}/{context.Pid}/{context.Timestamp.ToUnixTimeMilliseconds():x}"), client.Ip, client.Host);
            sessions.Set(key, session);
        }

        session.LastSeen = context.Timestamp;
        return session;
    }

    /// <summary>The process's session, while it is recent enough to be this connection's.</summary>
    private ClientSession? SessionOf(LineContext context) =>
        sessions.Peek(SessionKey(context)) is { } session && context.Timestamp - session.LastSeen <= SessionIdle ? session : null;

    private SmtpEvent Build(string eventName, MessageState state, LineContext context) =>
        state.ToEvent(Source, eventName, context.Timestamp, context.Relay, context.Qid ?? string.Empty, context.File, context.Line);

    private string Field(string key)
    {
        foreach (var (name, value) in fields)
        {
            if (name == key)
            {
                return value;
            }
        }

        return string.Empty;
    }

    /// <summary>
    /// The client a record names in the last <c>relay=</c> field: Sendmail writes <c>relay=</c> last (on <c>from=</c>,
    /// <c>AUTH=server</c>, <c>STARTTLS=server</c> lines) or just before the reply that ends the line (ruleset
    /// refusals), so a <c>relay=</c> the client's words smuggled in (a bare Message-ID) comes before it.
    /// </summary>
    private (string Host, string Ip)? LastRelay()
    {
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            if (fields[i].Key == "relay")
            {
                return Client(fields[i].Value);
            }
        }

        return null;
    }

    /// <summary>
    /// The client of a <c>relay=</c> value or of a host line: <c>host [ip]</c>, <c>[ip]</c>, <c>host. [IPv6:addr]</c>,
    /// each perhaps followed by <c>(may be forged)</c>; null for a local or unreadable one. The address is the
    /// bracket that ends the value, which Sendmail writes itself: the name before it comes from the client's DNS.
    /// </summary>
    private static (string Host, string Ip)? Client(ReadOnlySpan<char> relay)
    {
        relay = relay.TrimEnd();
        relay = relay.EndsWith(MayBeForged) ? relay[..^MayBeForged.Length].TrimEnd() : relay;
        var open = relay.LastIndexOf('[');
        if (open < 0 || !relay.EndsWith("]") || ClientAddress.Canonical(relay[(open + 1)..^1]) is not { } ip)
        {
            return null;
        }

        var host = relay[..open].Trim().TrimEnd('.');
        return (host.Length > 0 && !host.SequenceEqual(ip) ? host.ToString() : "unknown", ip);
    }

    private const string MayBeForged = "(may be forged)";

    /// <summary>The queue id a record starts with (<c>4AO9A0a1000123: </c>), null for <c>NOQUEUE: </c> or none; <paramref name="rest"/> is what follows.</summary>
    private static string? QueueId(ReadOnlySpan<char> body, out ReadOnlySpan<char> rest)
    {
        var colon = body.IndexOf(": ", StringComparison.Ordinal);
        rest = body;
        if (colon < 6 || colon > 20)
        {
            return null;
        }

        foreach (var c in body[..colon])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return null;
            }
        }

        rest = body[(colon + 2)..];
        return body[..colon].SequenceEqual("NOQUEUE") ? null : body[..colon].ToString();
    }

    private static string Unangle(string text) => text.Trim().TrimStart('<').TrimEnd('>');

    private static ushort Code(string text) =>
        text.Length >= 3 && ushort.TryParse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 200 and < 600 ? code : (ushort)0;

    private static string SessionKey(LineContext context) => context.Relay + "/" + context.Pid.ToString(CultureInfo.InvariantCulture);

    private static string MessageKey(LineContext context) => context.Relay + "/" + context.Qid;

    private readonly record struct LineContext(DateTimeOffset Timestamp, string Relay, int Pid, string? Qid, string File, long Line);

    private sealed record Waiting(string File, string Relay, int Pid, string? Qid, SmtpEvent Event);
}
