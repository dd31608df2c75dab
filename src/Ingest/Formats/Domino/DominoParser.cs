using System.Globalization;
using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// Reads a Domino server's console log: the SMTP listener (connections, messages received, refusals,
/// authentication failures, DNS blocklist hits) and the Router (deliveries to mail files, transfers to
/// the next hop, failed transfers and delivery failures). Every other task's lines (HTTP, agents,
/// replication, …) are recognised and skipped.
/// <para>
/// Correlation: a connection's lines share the thread in the <c>[pid:tid]</c> prefix (Domino's
/// default on Linux; without it sessions are keyed by client address, and two connections at once from
/// one address are told apart only by their order); a message's lines share its note id, which the
/// listener's "Message … received" and the Router's lines both name, and which carries the
/// Message-ID that joins the relay's hop to this one. The relay name is <c>--relay</c>, else the
/// folder the file is in (a console log names no host).
/// </para>
/// <para>
/// Dates are read in the file's date order (<see cref="Syslog.TimestampContext.DateOrder"/>, from
/// <c>--date-order</c> or detected by ingest from the file's first lines); a line read without one
/// uses what its own numbers prove, else day-first for dotted dates and month-first otherwise.
/// </para>
/// </summary>
internal sealed class DominoParser : ILogParser
{
    private const int SweepEvery = 50_000;

    private readonly CorrelationMap<string, Session> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, MessageState> messages = new(StringComparer.Ordinal);
    private long linesSinceSweep;

    public string Source => "domino";

    /// <summary>How long correlation state may sit idle before it is dropped. Default 7 days.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7);

    public int OpenSessions => sessions.Count;

    public int OpenMessages => messages.Count;

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (line.IsWhiteSpace())
        {
            return LineResult.Skipped("blank line");
        }

        if (!DominoPrefixReader.TryRead(line, out var stamp, out var thread, out var bodyStart, out _))
        {
            return LineResult.Unrecognised("no domino timestamp");
        }

        var (year, month, day) = stamp.Date(origin.Timestamps.DateOrder ?? stamp.ProvenOrder ?? DefaultOrder(stamp.Separator));
        DateTimeOffset timestamp;
        try
        {
            timestamp = origin.Timestamps.FromLocal(year, month, day, stamp.Hour, stamp.Minute, stamp.Second24, 0);
        }
        catch (ArgumentOutOfRangeException)
        {
            return LineResult.Unrecognised("impossible domino date (check --date-order)");
        }

        if (++linesSinceSweep >= SweepEvery)
        {
            Sweep(timestamp);
        }

        var body = line[bodyStart..].TrimEnd();
        if (!body.StartsWith("SMTP Server") && !body.StartsWith("smtp: ") && !body.StartsWith("Router: "))
        {
            return body.StartsWith("SMTPClient") ? LineResult.Skipped("domino.smtp_client") : LineResult.Skipped("domino.other_task");
        }

        var context = new LineContext(timestamp, origin.Relay ?? origin.FolderOr("domino"), line[thread].ToString(), origin.File, lineNumber);
        if (body.StartsWith("SMTP Server"))
        {
            return SmtpServer(body["SMTP Server".Length..], context);
        }

        return body.StartsWith("smtp: ")
            ? InternetPasswordFailure(body["smtp: ".Length..], context)
            : Router(body["Router: ".Length..], context);
    }

    /// <summary>Whether a line looks like a Domino console line (a Domino stamp, then a thread or the wide gap Domino leaves), for format detection.</summary>
    public static bool LooksLikeConsole(string line) =>
        DominoPrefixReader.TryRead(line, out _, out var thread, out var bodyStart, out var gap)
        && bodyStart < line.Length && (gap >= 2 || !thread.Equals(default(Range)));

    /// <summary>
    /// The date order of a console log, judged by its first lines: the order their numbers prove (a
    /// four-digit year first, or a day above 12), by majority; when none proves one, the order its
    /// separator implies (<see cref="DefaultOrder"/>) — certain for dotted dates, which are day-first
    /// wherever they are written, and a guess for slashed and dashed ones, with <paramref name="proven"/>
    /// false. Null when no line has a Domino stamp.
    /// </summary>
    public static DateOrder? DetectDateOrder(IEnumerable<string> firstLines, out bool proven)
    {
        var votes = new int[3];
        char? separator = null;
        foreach (var line in firstLines)
        {
            if (DominoPrefixReader.TryRead(line, out var stamp, out _, out _, out _))
            {
                separator ??= stamp.Separator;
                if (stamp.ProvenOrder is { } order)
                {
                    votes[(int)order]++;
                }
            }
        }

        // Dotted dates that do not start with a four-digit year are day-first wherever they are written.
        proven = votes.Any(v => v > 0) || separator == '.';
        return votes.Any(v => v > 0) ? (DateOrder)Array.IndexOf(votes, votes.Max()) : separator is { } written ? DefaultOrder(written) : null;
    }

    /// <summary>The date order a dated line implies by its separator when its numbers prove none: dotted dates are day-first, slashed and dashed ones month-first (Domino's US default).</summary>
    public static DateOrder DefaultOrder(char separator) => separator == '.' ? DateOrder.DayMonthYear : DateOrder.MonthDayYear;

    /// <summary>The listener's lines, after <c>SMTP Server</c>: an optional <c>[pid:tid]</c>, an optional colon, the text.</summary>
    private LineResult SmtpServer(ReadOnlySpan<char> rest, LineContext context)
    {
        if (rest.StartsWith(" [") && rest.IndexOf(']') is var close and > 0)
        {
            var inner = rest[2..close];
            var dash = inner.IndexOf('-');
            context = context with { Thread = context.Thread.Length > 0 ? context.Thread : (dash < 0 ? inner : inner[..dash]).ToString() };
            rest = rest[(close + 1)..];
        }

        var text = rest.TrimStart(':').TrimStart(' ');
        if (text.EndsWith(" connected"))
        {
            return Connected(text[..^" connected".Length], context);
        }

        var disconnected = text.IndexOf(" disconnected", StringComparison.Ordinal);
        if (disconnected > 0 && Client(text[..disconnected]) is { } leaving)
        {
            return Disconnected(leaving, text[(disconnected + " disconnected".Length)..].TrimStart('.').Trim().ToString(), context);
        }

        if (text.StartsWith("Originator: "))
        {
            if (SessionOf(context, null) is { } session)
            {
                session.MailFrom = Unangle(text["Originator: ".Length..]);
            }

            return LineResult.Skipped("domino.originator");
        }

        if (text.StartsWith("Recipient: "))
        {
            return LineResult.Skipped("domino.recipient");
        }

        if (text.StartsWith("Message ") && text.Contains(") received", StringComparison.Ordinal))
        {
            return Received(text, context);
        }

        if (text.StartsWith("Authentication failed for "))
        {
            return PasswordFailure(text["Authentication failed for ".Length..], context);
        }

        if (text.StartsWith("Authentication succeeded for "))
        {
            if (TryReadUserAndHost(text["Authentication succeeded for ".Length..], out var user, out var client) && SessionOf(context, client.Ip) is { } session)
            {
                session.SaslUser = user;
            }

            return LineResult.Skipped("domino.auth_success");
        }

        if (text.StartsWith("Message rejected. Authenticated user "))
        {
            return ForgedSender(text["Message rejected. Authenticated user ".Length..], context);
        }

        if (text.StartsWith("Connection from "))
        {
            return Refusal(text, EventNames.Reject, "domino.connect_reject", context);
        }

        if (text.Contains("Blacklist", StringComparison.OrdinalIgnoreCase) || text.Contains("DNSBL", StringComparison.Ordinal))
        {
            return Refusal(text, EventNames.Dnsbl, "domino.dnsbl", context);
        }

        if (text.Contains("rejected", StringComparison.OrdinalIgnoreCase) || text.Contains("denied", StringComparison.OrdinalIgnoreCase))
        {
            var recipient = Angled(text);
            return Refusal(text, recipient.Length > 0 ? EventNames.RcptReject : EventNames.Reject, recipient.Length > 0 ? "domino.rcpt_reject" : "domino.reject", context);
        }

        return LineResult.Skipped("domino.smtp_note");
    }

    private LineResult Connected(ReadOnlySpan<char> spec, LineContext context)
    {
        if (Client(spec) is not { } client)
        {
            return LineResult.Unrecognised("unreadable host in domino connect line");
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{context.Relay}/{(context.Thread.Length > 0 ? context.Thread : client.Ip)}/{context.Timestamp.ToUnixTimeMilliseconds():x}");
        sessions.Set(SessionKey(context, client.Ip), new Session(id, client) { LastSeen = context.Timestamp });
        return Event(EventNames.Connect, "domino.connect", context, client);
    }

    /// <summary><c>ip disconnected. 1 message[s] received</c>: the session ends.</summary>
    private LineResult Disconnected(DominoClient client, string detail, LineContext context)
    {
        var result = Event(EventNames.Disconnect, "domino.disconnect", context, client, detail);
        sessions.Remove(SessionKey(context, client.Ip));
        return result;
    }

    /// <summary><c>Message 00364B87 (MessageID: &lt;…&gt;) received from ip size 2320 bytes</c>: a message taken into mail.box.</summary>
    private LineResult Received(ReadOnlySpan<char> text, LineContext context)
    {
        if (!DominoFieldReader.TryReadReceived(text, out var received))
        {
            return LineResult.Unrecognised("unreadable domino message-received line");
        }

        var (note, messageId, named, size) = received;
        var session = SessionOf(context, named is null ? null : Canonical(named)?.Ip);
        var client = named is null ? session?.Client : Canonical(named);
        if (client is null)
        {
            return LineResult.Unrecognised(named is null ? "no client for a domino message-received line (no session names one)" : "unreadable client address in domino message-received line");
        }

        var state = messages.GetOrAdd(MessageKey(context.Relay, note), context.Timestamp, static () => new MessageState());
        state.ClientIp = client.Ip;
        state.ClientHost = client.Name.Length > 0 ? client.Name : session?.Client.Name ?? string.Empty;
        state.MessageId = messageId;
        state.Size = size;
        state.MailFrom = session?.MailFrom ?? string.Empty;
        state.SessionId = session?.Id ?? string.Empty;
        state.SaslUser = session?.SaslUser ?? string.Empty;
        if (session is not null)
        {
            session.MailFrom = string.Empty;
        }

        return new LineResult(LineOutcome.Event, "domino.message", Build(EventNames.Message, context, state, note) with { Size = size });
    }

    /// <summary><c>user U ; connecting host 203.0.113.9</c> after "Authentication failed for".</summary>
    private LineResult PasswordFailure(ReadOnlySpan<char> rest, LineContext context)
    {
        if (!TryReadUserAndHost(rest, out var user, out var client))
        {
            return LineResult.Unrecognised("unreadable domino authentication line");
        }

        var result = Event(EventNames.AuthFailure, "domino.auth_failure", context, client, "Authentication failed");
        return result with { Event = result.Event! with { SaslUser = user } };
    }

    /// <summary><c>user U ; connecting host 203.0.113.9</c> (the word <c>user</c> is missing in some versions).</summary>
    private static bool TryReadUserAndHost(ReadOnlySpan<char> rest, out string user, out DominoClient client)
    {
        const string ConnectingHost = "; connecting host ";
        rest = rest.StartsWith("user ") ? rest[5..] : rest;
        // The user name is the client's text: the listener's own words are after the last "; connecting host ".
        var host = rest.LastIndexOf(ConnectingHost, StringComparison.Ordinal);
        user = host < 0 ? string.Empty : rest[..host].Trim().ToString();
        client = host < 0 ? null! : Client(rest[(host + ConnectingHost.Length)..])!;
        return client is not null;
    }

    /// <summary><c>smtp: user [ip] authentication failure using internet password[: reason]</c>, Domino's newer wording.</summary>
    private LineResult InternetPasswordFailure(ReadOnlySpan<char> rest, LineContext context)
    {
        const string Failure = "] authentication failure using internet password";
        var end = rest.IndexOf(Failure, StringComparison.Ordinal);
        var open = end < 0 ? -1 : rest[..end].LastIndexOf('[');
        if (open < 0 || Client(rest[open..(end + 1)]) is not { } client)
        {
            return rest.Contains("authentication", StringComparison.OrdinalIgnoreCase)
                ? LineResult.Unrecognised("unreadable domino authentication line")
                : LineResult.Skipped("domino.smtp_note");
        }

        var user = rest[..open].Trim();
        var detail = rest[(end + Failure.Length)..].TrimStart(':').Trim();
        var result = Event(EventNames.AuthFailure, "domino.auth_failure", context, client, detail.Length > 0 ? detail.ToString() : "authentication failure using internet password");
        return result with { Event = result.Event! with { SaslUser = user.SequenceEqual("IP Address") ? string.Empty : user.ToString() } };
    }

    /// <summary><c>U from host ip sending mail from X failed to match directory address Y</c>: a logged-in user sending as someone else.</summary>
    private LineResult ForgedSender(ReadOnlySpan<char> rest, LineContext context)
    {
        var fromHost = rest.IndexOf(" from host ", StringComparison.Ordinal);
        var sending = rest.IndexOf(" sending mail from ", StringComparison.Ordinal);
        var failed = rest.IndexOf(" failed to match", StringComparison.Ordinal);
        if (fromHost < 0 || sending < fromHost || failed < sending || Client(rest[(fromHost + " from host ".Length)..sending]) is not { } client)
        {
            return LineResult.Unrecognised("unreadable domino sender-mismatch line");
        }

        const string Detail = "sending address does not match the directory address of the authenticated user";
        var result = Event(EventNames.Reject, "domino.sender_reject", context, client, Detail, Reasons.SenderRejected);
        return result with
        {
            Event = result.Event! with
            {
                SaslUser = rest[..fromHost].Trim().ToString(),
                MailFrom = Unangle(rest[(sending + " sending mail from ".Length)..failed]),
                Detail = rest[(failed + 1)..].ToString(),
            },
        };
    }

    /// <summary>A refusal or blocklist hit that names the client in brackets or parentheses, with the text as its detail.</summary>
    private LineResult Refusal(ReadOnlySpan<char> text, string eventName, string kind, LineContext context)
    {
        var client = FirstAddress(text) ?? FirstBareAddress(text);
        var session = SessionOf(context, client?.Ip);
        client ??= session?.Client;
        if (client is null)
        {
            return LineResult.Unrecognised("no client address in domino refusal line");
        }

        var detail = text.ToString();
        var result = Event(eventName, kind, context, client, detail, Reasons.Classify(detail));
        return result with { Event = result.Event! with { RcptTo = Angled(text), MailFrom = session?.MailFrom ?? string.Empty } };
    }

    /// <summary>The Router's lines: deliveries, transfers, failed transfers, delivery failures; its other notes are skipped.</summary>
    private LineResult Router(ReadOnlySpan<char> text, LineContext context)
    {
        if (DominoFieldReader.TryReadRouter(text, out var routed, out var verb))
        {
            return verb switch
            {
                RouterVerb.Delivered => RouterEvent(routed, EventNames.Delivery, "domino.delivered", context),
                RouterVerb.Transferred => RouterEvent(routed, EventNames.Delivery, "domino.transferred", context),
                _ => RouterEvent(routed, EventNames.Defer, "domino.not_transferred", context),
            };
        }

        var failure = text.IndexOf("deliver message ", StringComparison.OrdinalIgnoreCase);
        if (failure >= 0 && text.StartsWith("Unable to deliver", StringComparison.OrdinalIgnoreCase))
        {
            return DeliveryFailure(text[(failure + "deliver message ".Length)..], context);
        }

        return text.StartsWith("Message ") ? LineResult.Skipped("domino.router_message_note") : LineResult.Skipped("domino.router_note");
    }

    /// <summary><c>0036AB12 to jdoe@example.com: User jdoe@example.com not listed in Domino Directory</c>.</summary>
    private LineResult DeliveryFailure(ReadOnlySpan<char> rest, LineContext context)
    {
        if (rest.Length < 12 || rest[..8].ContainsAnyExcept(HexDigits) || !rest[8..].StartsWith(" to "))
        {
            return LineResult.Unrecognised("unreadable domino delivery-failure line");
        }

        var after = rest[(8 + " to ".Length)..];
        var colon = after.IndexOf(": ", StringComparison.Ordinal);
        var recipient = (colon < 0 ? after : after[..colon]).Trim().ToString();
        var detail = colon < 0 ? string.Empty : after[(colon + 2)..].Trim().ToString();
        return RouterEvent(new RouterLine(rest[..8].ToString(), recipient, string.Empty, string.Empty, 0, detail), EventNames.Bounce, "domino.delivery_failure", context);
    }

    private LineResult RouterEvent(RouterLine line, string eventName, string kind, LineContext context)
    {
        var state = messages.Find(MessageKey(context.Relay, line.NoteId), context.Timestamp);
        var smtp = state is null
            ? new SmtpEvent
            {
                Timestamp = context.Timestamp,
                Relay = context.Relay,
                Source = Source,
                Event = eventName,
                QueueId = line.NoteId,
                File = context.File,
                Line = (ulong)context.Line,
            }
            : Build(eventName, context, state, line.NoteId);
        return new LineResult(LineOutcome.Event, kind, smtp with
        {
            RcptTo = line.Recipient,
            // The Router names the null sender of a bounce "<>"; the store keeps it empty, as every format does.
            MailFrom = line.Sender == "<>" ? string.Empty : line.Sender.Length > 0 ? line.Sender : smtp.MailFrom,
            NextHop = line.NextHop.Length > 0 ? line.NextHop : kind == "domino.delivered" ? "mailbox" : string.Empty,
            Size = state?.Size is > 0 ? state.Size : line.Size,
            Detail = line.Detail,
            Reason = eventName == EventNames.Delivery ? string.Empty : Reasons.Classify(line.Detail),
        });
    }

    private LineResult Event(string eventName, string kind, LineContext context, DominoClient client, string detail = "", string reason = "")
    {
        var session = SessionOf(context, client.Ip);
        return new LineResult(LineOutcome.Event, kind, new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = context.Relay,
            Source = Source,
            Event = eventName,
            ClientIp = client.Ip,
            ClientHost = client.Name.Length > 0 ? client.Name : session?.Client.Name ?? string.Empty,
            SessionId = session?.Id ?? string.Empty,
            Reason = reason,
            Detail = detail,
            File = context.File,
            Line = (ulong)context.Line,
        });
    }

    private SmtpEvent Build(string eventName, LineContext context, MessageState state, string note) =>
        state.ToEvent(Source, eventName, context.Timestamp, context.Relay, note, context.File, context.Line);

    /// <summary>The session a line belongs to: by its thread, else by the client's address.</summary>
    private Session? SessionOf(LineContext context, string? ip) =>
        context.Thread.Length > 0 ? sessions.Find(context.Relay + "/" + context.Thread, context.Timestamp)
        : ip is null ? null : sessions.Find(context.Relay + "/" + ip, context.Timestamp);

    private static string SessionKey(LineContext context, string ip) =>
        context.Relay + "/" + (context.Thread.Length > 0 ? context.Thread : ip);

    private static string MessageKey(string relay, string note) => relay + "/" + note;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789ABCDEFabcdef");

    private static DominoClient? Client(ReadOnlySpan<char> spec)
    {
        spec = spec.Trim();
        return DominoFieldReader.TryReadClient(spec, 0, out var client, out var end) && end == spec.Length ? Canonical(client) : null;
    }

    /// <summary>
    /// The first client named in brackets (<c>[ip]</c>) or after a name (<c>name (ip)</c>) in a line of text, outside
    /// addresses in angle brackets: those are the client's own words (<c>Recipient &lt;"[192.0.2.44]"@ours&gt; rejected for host (ip)</c>).
    /// </summary>
    private static DominoClient? FirstAddress(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (text[offset..].IndexOfAny('[', '(', '<') is var found and >= 0)
        {
            var open = offset + found;
            if (text[open] == '<')
            {
                var closeAngle = text[open..].IndexOf('>');
                offset = closeAngle < 0 ? open + 1 : open + closeAngle + 1;
                continue;
            }

            var length = text[(open + 1)..].IndexOfAny(']', ')');
            if (length < 0)
            {
                return null;
            }

            if (ClientAddress.Canonical(text.Slice(open + 1, length)) is { } ip)
            {
                var before = text[..open].TrimEnd();
                var name = text[open] == '(' ? before[(before.LastIndexOf(' ') + 1)..].ToString() : string.Empty;
                return new DominoClient(name, ip);
            }

            offset = open + 1;
        }

        return null;
    }

    /// <summary>The first word of a line of text that is an address (<c>Relaying from 203.0.113.45 to …</c>).</summary>
    private static DominoClient? FirstBareAddress(ReadOnlySpan<char> text)
    {
        foreach (var range in text.Split(' '))
        {
            if (ClientAddress.Canonical(text[range].TrimEnd(',').TrimEnd(':')) is { } ip)
            {
                return new DominoClient(string.Empty, ip);
            }
        }

        return null;
    }

    /// <summary>The client with its address in canonical form (<see cref="ClientAddress"/>), or null when it names no address.</summary>
    private static DominoClient? Canonical(DominoClient client) =>
        ClientAddress.Canonical(client.Ip) is { } ip ? (ip == client.Ip ? client : client with { Ip = ip }) : null;

    /// <summary>The first address in angle brackets, or empty.</summary>
    private static string Angled(ReadOnlySpan<char> text)
    {
        var open = text.IndexOf('<');
        var close = open < 0 ? -1 : text[open..].IndexOf('>');
        return close < 0 ? string.Empty : text.Slice(open + 1, close - 1).ToString();
    }

    private static string Unangle(ReadOnlySpan<char> text) => text.Trim().Trim('<').Trim('>').ToString();


    private void Sweep(DateTimeOffset now)
    {
        linesSinceSweep = 0;
        sessions.Sweep(now - Horizon);
        messages.Sweep(now - Horizon);
    }

    private readonly record struct LineContext(DateTimeOffset Timestamp, string Relay, string Thread, string File, long Line);

    private sealed class Session(string id, DominoClient client) : ICorrelationState
    {
        public string Id { get; } = id;

        public DominoClient Client { get; } = client;

        /// <summary>The sender of the message in progress (<c>Originator:</c>, logged when the listener logs verbosely).</summary>
        public string MailFrom { get; set; } = string.Empty;

        public string SaslUser { get; set; } = string.Empty;

        public DateTimeOffset LastSeen { get; set; }
    }
}
