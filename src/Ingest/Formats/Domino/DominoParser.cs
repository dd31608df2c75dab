using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// Reads a Domino server's console log: the SMTP listener (connections, messages received, refusals,
/// authentication failures, DNS blocklist hits) and the Router (deliveries to mail files, transfers to
/// the next hop, failed transfers and delivery failures). Every other task's lines (HTTP, agents,
/// replication, …) are recognised and skipped.
/// <para>
/// A connection's lines share their thread, a message's its note id (<see cref="DominoCorrelation"/>). The relay
/// name is <c>--relay</c>, else the folder the file is in (a console log names no host).
/// </para>
/// <para>
/// Dates are read in the file's date order (<see cref="Syslog.TimestampContext.DateOrder"/>, from
/// <c>--date-order</c> or detected by ingest from the file's first lines); a line read without one
/// uses what its own numbers prove, else day-first for dotted dates and month-first otherwise.
/// </para>
/// </summary>
internal sealed class DominoParser : ILogParser
{
    private const int MaxCaptures = 8;

    private readonly DominoCorrelation correlation = new();

    public string Source => "domino";

    /// <summary>How long correlation state may sit idle before it is dropped. Default 7 days.</summary>
    public TimeSpan Horizon { get => correlation.Horizon; init => correlation.Horizon = value; }

    public int OpenSessions => correlation.OpenSessions;

    public int OpenMessages => correlation.OpenMessages;

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

        if (DominoConsole.Timestamp(stamp, origin.Timestamps) is not { } timestamp)
        {
            return LineResult.Unrecognised("impossible domino date (check --date-order)");
        }

        correlation.Advance(timestamp);

        var text = line[bodyStart..].TrimEnd();
        var threadText = line[thread];
        if (DominoLineKinds.OfTask(ref text, ref threadText) is not { } task)
        {
            return text.StartsWith("SMTPClient") ? LineResult.Skipped("domino.smtp_client") : LineResult.Skipped("domino.other_task");
        }

        var context = new LineContext(new EventStamp(timestamp, origin.Relay ?? origin.FolderOr("domino"), Source, origin.File, lineNumber), threadText.ToString());
        Span<Range> captures = stackalloc Range[MaxCaptures];
        foreach (var kind in task.Kinds)
        {
            if (kind.Line.Template.TryMatch(text, captures) && Read(kind, new LineFields(text, kind.Line.Template, captures), text, context) is { } result)
            {
                return result;
            }
        }

        return LineResult.Unrecognised(task.Unknown);
    }

    /// <inheritdoc cref="DominoConsole.LooksLikeConsole"/>
    public static bool LooksLikeConsole(string line) => DominoConsole.LooksLikeConsole(line);

    /// <inheritdoc cref="DominoConsole.DetectDateOrder"/>
    public static DateOrder? DetectDateOrder(IEnumerable<string> firstLines, out bool proven) => DominoConsole.DetectDateOrder(firstLines, out proven);

    /// <summary>The line read as its kind says, or null when its fields do not read so and the next kind may.</summary>
    private LineResult? Read(DominoKind kind, LineFields matched, ReadOnlySpan<char> text, LineContext context)
    {
        var name = kind.Line.Name;
        switch (kind.Reading)
        {
            case DominoReading.Skipped:
                return LineResult.Skipped(name);
            case DominoReading.Connected:
                return Connected(matched.Get("client"), context);
            case DominoReading.Disconnected:
                // A line that merely contains " disconnected" is another kind's: only a client before it makes it a disconnect.
                return DominoAddresses.Client(matched.Get("client")) is { } leaving
                    ? Disconnected(leaving, matched.Get("detail").TrimStart('.').Trim().ToString(), context)
                    : null;
            case DominoReading.Originator:
                if (SessionOf(context, null) is { } current)
                {
                    current.MailFrom = Unangle(matched.Get("mail_from"));
                }

                return LineResult.Skipped(name);
            case DominoReading.Received:
                return Received(text, context);
            case DominoReading.PasswordFailure:
                return DominoAddresses.TryReadUserAndHost(text["Authentication failed for ".Length..], out var user, out var client)
                    ? Emit(kind, ClientEvent(EventNames.AuthFailure, context, client, "Authentication failed") with { SaslUser = user })
                    : LineResult.Unrecognised("unreadable domino authentication line");
            case DominoReading.PasswordSuccess:
                if (DominoAddresses.TryReadUserAndHost(text["Authentication succeeded for ".Length..], out var known, out var host) && SessionOf(context, host.Ip) is { } session)
                {
                    session.SaslUser = known;
                }

                return LineResult.Skipped(name);
            case DominoReading.InternetPasswordFailure:
                return InternetPasswordFailure(kind, text, context);
            case DominoReading.ForgedSender:
                return ForgedSender(kind, text["Message rejected. Authenticated user ".Length..], context);
            case DominoReading.Refusal or DominoReading.RecipientRefusal:
                return Refusal(kind, text, context);
            case DominoReading.Routed:
                return DominoFieldReader.TryReadRouter(text, out var routed, out var verb)
                    ? verb switch
                    {
                        RouterVerb.Delivered => RouterEvent(routed, EventNames.Delivery, "domino.delivered", context),
                        RouterVerb.Transferred => RouterEvent(routed, EventNames.Delivery, "domino.transferred", context),
                        _ => RouterEvent(routed, EventNames.Defer, "domino.not_transferred", context),
                    }
                    : LineResult.Skipped("domino.router_message_note");
            default:
                return DeliveryFailure(text, context);
        }
    }

    private LineResult Connected(ReadOnlySpan<char> spec, LineContext context)
    {
        if (DominoAddresses.Client(spec) is not { } client)
        {
            return LineResult.Unrecognised("unreadable host in domino connect line");
        }

        correlation.Start(context.Relay, context.Thread, client, context.Stamp.Timestamp);
        return Emit("domino.connect", ClientEvent(EventNames.Connect, context, client, string.Empty));
    }

    /// <summary><c>ip disconnected. 1 message[s] received</c>: the session ends.</summary>
    private LineResult Disconnected(DominoClient client, string detail, LineContext context)
    {
        var result = Emit("domino.disconnect", ClientEvent(EventNames.Disconnect, context, client, detail));
        correlation.End(context.Relay, context.Thread, client.Ip);
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
        var namedClient = named is null ? null : DominoAddresses.Canonical(named);
        var session = SessionOf(context, namedClient?.Ip);
        var client = named is null ? session?.Client : namedClient;
        if (client is null)
        {
            return LineResult.Unrecognised(named is null ? "no client for a domino message-received line (no session names one)" : "unreadable client address in domino message-received line");
        }

        var state = correlation.Message(context.Relay, note, context.Stamp.Timestamp);
        (state.ClientIp, state.ClientHost, state.MessageId, state.Size) = (client.Ip, client.Name.Length > 0 ? client.Name : session?.Client.Name ?? string.Empty, messageId, size);
        (state.MailFrom, state.SessionId, state.SaslUser) = (session?.MailFrom ?? string.Empty, session?.Id ?? string.Empty, session?.SaslUser ?? string.Empty);
        if (session is not null)
        {
            session.MailFrom = string.Empty;
        }

        return new LineResult(LineOutcome.Event, "domino.message", Build(EventNames.Message, context, state, note) with { Size = size });
    }

    /// <summary><c>smtp: user [ip] authentication failure using internet password[: reason]</c>, Domino's newer wording.</summary>
    private LineResult InternetPasswordFailure(DominoKind kind, ReadOnlySpan<char> rest, LineContext context)
    {
        const string Failure = "] authentication failure using internet password";
        var end = rest.IndexOf(Failure, StringComparison.Ordinal);
        var open = rest[..end].LastIndexOf('[');
        if (open < 0 || DominoAddresses.Client(rest[open..(end + 1)]) is not { } client)
        {
            return LineResult.Unrecognised("unreadable domino authentication line");
        }

        var user = rest[..open].Trim();
        var detail = rest[(end + Failure.Length)..].TrimStart(':').Trim();
        return Emit(kind, ClientEvent(EventNames.AuthFailure, context, client, detail.Length > 0 ? detail.ToString() : "authentication failure using internet password")
            with { SaslUser = user.SequenceEqual("IP Address") ? string.Empty : user.ToString() });
    }

    /// <summary><c>U from host ip sending mail from X failed to match directory address Y</c>: a logged-in user sending as someone else.</summary>
    private LineResult ForgedSender(DominoKind kind, ReadOnlySpan<char> rest, LineContext context)
    {
        var fromHost = rest.IndexOf(" from host ", StringComparison.Ordinal);
        var sending = rest.IndexOf(" sending mail from ", StringComparison.Ordinal);
        var failed = rest.IndexOf(" failed to match", StringComparison.Ordinal);
        if (fromHost < 0 || sending < fromHost || failed < sending || DominoAddresses.Client(rest[(fromHost + " from host ".Length)..sending]) is not { } client)
        {
            return LineResult.Unrecognised("unreadable domino sender-mismatch line");
        }

        return Emit(kind, ClientEvent(EventNames.Reject, context, client, string.Empty, Reasons.SenderRejected) with
        {
            SaslUser = rest[..fromHost].Trim().ToString(),
            MailFrom = Unangle(rest[(sending + " sending mail from ".Length)..failed]),
            Detail = rest[(failed + 1)..].ToString(),
        });
    }

    /// <summary>A refusal or blocklist hit that names the client in brackets, parentheses or bare (else the session's), with the text as its detail.</summary>
    private LineResult Refusal(DominoKind kind, ReadOnlySpan<char> text, LineContext context)
    {
        var client = DominoAddresses.FirstNamed(text);
        var session = SessionOf(context, client?.Ip);
        client ??= session?.Client;
        if (client is null)
        {
            return LineResult.Unrecognised("no client address in domino refusal line");
        }

        var detail = text.ToString();
        var recipient = DominoAddresses.Angled(text);
        var (name, eventName) = kind.Reading != DominoReading.RecipientRefusal ? (kind.Line.Name, kind.Line.Event!)
            : recipient.Length > 0 ? ("domino.rcpt_reject", EventNames.RcptReject) : ("domino.reject", EventNames.Reject);
        return Emit(name, ClientEvent(eventName, context, client, detail, ReplyReasons.Classify(detail)) with { RcptTo = recipient, MailFrom = session?.MailFrom ?? string.Empty });
    }

    /// <summary><c>Unable to deliver message 0036AB12 to jdoe@example.com: User jdoe@example.com not listed in Domino Directory</c>.</summary>
    private LineResult DeliveryFailure(ReadOnlySpan<char> text, LineContext context)
    {
        var rest = text["Unable to deliver message ".Length..];
        if (rest.Length < 12 || !DominoFieldReader.IsNoteId(rest, 0) || !rest[8..].StartsWith(" to "))
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
        var state = correlation.FindMessage(context.Relay, line.NoteId, context.Stamp.Timestamp);
        var smtp = state is null ? new SmtpEvent(context.Stamp, eventName) { QueueId = line.NoteId } : Build(eventName, context, state, line.NoteId);
        return new LineResult(LineOutcome.Event, kind, smtp with
        {
            RcptTo = line.Recipient,
            // The Router names the null sender of a bounce "<>"; the store keeps it empty, as every format does.
            MailFrom = line.Sender == "<>" ? string.Empty : line.Sender.Length > 0 ? line.Sender : smtp.MailFrom,
            NextHop = line.NextHop.Length > 0 ? line.NextHop : kind == "domino.delivered" ? "mailbox" : string.Empty,
            Size = state?.Size is > 0 ? state.Size : line.Size,
            Detail = line.Detail,
            Reason = eventName == EventNames.Delivery ? string.Empty : ReplyReasons.Classify(line.Detail),
        });
    }

    /// <summary>An event of the line's client, with its session's id (and name, when the line gives none).</summary>
    private SmtpEvent ClientEvent(string eventName, LineContext context, DominoClient client, string detail, string reason = "")
    {
        var session = SessionOf(context, client.Ip);
        return new SmtpEvent(context.Stamp, eventName)
        {
            ClientIp = client.Ip,
            ClientHost = client.Name.Length > 0 ? client.Name : session?.Client.Name ?? string.Empty,
            SessionId = session?.Id ?? string.Empty,
            Reason = reason,
            Detail = detail,
        };
    }

    private static LineResult Emit(DominoKind kind, SmtpEvent smtp) => Emit(kind.Line.Name, smtp);

    private static LineResult Emit(string kind, SmtpEvent smtp) => new(LineOutcome.Event, kind, smtp);

    private SmtpEvent Build(string eventName, LineContext context, MessageState state, string note) =>
        state.ToEvent(Source, eventName, context.Stamp.Timestamp, context.Relay, note, context.Stamp.File, context.Stamp.Line);

    private DominoSession? SessionOf(LineContext context, string? ip) => correlation.SessionOf(context.Relay, context.Thread, ip, context.Stamp.Timestamp);

    private static string Unangle(ReadOnlySpan<char> text) => text.Trim().Trim('<').Trim('>').ToString();

    private readonly record struct LineContext(EventStamp Stamp, string Thread)
    {
        public string Relay => Stamp.Relay;
    }
}
