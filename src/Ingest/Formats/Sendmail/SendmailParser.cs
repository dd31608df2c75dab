using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// Reads Sendmail's syslog records (<c>sm-mta</c>, <c>sendmail</c>, and other <c>sm-*</c> instance names) by
/// walking <see cref="SendmailGrammar.Kinds"/>, and joins them through <see cref="SendmailCorrelation"/>. Stored:
/// <c>from=</c> as a message accepted (when it has recipients), <c>to=</c> as a delivery, deferral or bounce by
/// its <c>stat=</c> (one per recipient it lists), <c>ruleset=check_*</c> and milter refusals, <c>&lt;addr&gt;... User unknown</c>, AUTH
/// failures, the lines that name a client in their text (lost input channels, pre-greeting traffic, timeouts,
/// connects at LogLevel 10 and above, …), and the DSNs Sendmail sends. A refusal logged before the line that
/// names its client waits for it (<see cref="ILogParser.TakeReleased"/>, <see cref="ILogParser.TakeWaiting"/>).
/// </summary>
internal sealed class SendmailParser : ILogParser
{
    private const int MaxCaptures = 8;

    private readonly SendmailCorrelation correlation = new();
    private (Range Key, Range Value)[] fields = new (Range, Range)[16];

    public string Source => "sendmail";

    /// <summary>How long a message's state may sit idle before it is dropped. Default 7 days (Sendmail's queue lifetime is 5).</summary>
    public TimeSpan Horizon { get => correlation.Horizon; init => correlation.Horizon = value; }

    public int WaitingEvents => correlation.WaitingEvents;

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

        correlation.Advance(header.Timestamp);
        var rest = line[header.MessageStart..].TrimEnd();
        var qid = SendmailFields.QueueId(ref rest);
        var context = new SendmailLineContext(new EventStamp(header.Timestamp, origin.RelayOf(header, line, Source), Source, origin.File, lineNumber), header.Pid, qid);
        Span<Range> captures = stackalloc Range[MaxCaptures];
        foreach (var kind in rest.IsEmpty ? SendmailGrammar.Kinds : SendmailGrammar.KindsStartingWith(rest[0]))
        {
            if (kind.Line.Template.TryMatch(rest, captures))
            {
                return Read(kind, new LineFields(rest, kind.Line.Template, captures), rest, context);
            }
        }

        return LineResult.Unrecognised("unknown sendmail line");
    }

    public IReadOnlyList<SmtpEvent> TakeReleased() => correlation.TakeReleased();

    public IReadOnlyList<SmtpEvent> TakeWaiting(string file) => correlation.TakeWaiting(file);

    private LineResult Read(SendmailKind kind, LineFields matched, ReadOnlySpan<char> rest, SendmailLineContext context) => kind.Reading switch
    {
        SendmailReading.Skipped => LineResult.Skipped(kind.Line.Name),
        SendmailReading.Envelope => Envelope(rest, context),
        SendmailReading.Delivery => Delivery(rest, context),
        SendmailReading.Ruleset => Ruleset(rest, context),
        SendmailReading.ClientNote => ClientNote(kind, rest, context),
        SendmailReading.AuthFailure => AuthFailure(rest, context),
        SendmailReading.Milter => Milter(matched.Get("text"), context),
        SendmailReading.RecipientError => Refusal(null, context, kind.Line.Name, EventNames.RcptReject, matched.GetString("rcpt_to"), string.Empty, matched.GetString("detail"), 550),
        SendmailReading.Dsn => Dsn(matched, context),
        _ => ClientLine(kind, matched.Get("client"), rest, context),
    };

    /// <summary><c>from=&lt;a@b&gt;, size=1234, class=0, nrcpts=1, msgid=&lt;id&gt;, proto=ESMTP, daemon=MTA, relay=host [ip]</c>.</summary>
    private LineResult Envelope(ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        if (!SendmailFields.TrySplit(rest, ref fields, out var count))
        {
            return LineResult.Unrecognised("unreadable sendmail from= record");
        }

        var record = new SendmailRecord(rest, fields.AsSpan(0, count));
        var session = SendmailFields.Client(record.Last("relay")) is { } client ? correlation.Connect(context, client) : correlation.SessionOf(context);
        var state = correlation.MessageOf(context);
        state.MailFrom = Unangle(record.Get("from"));
        state.MessageId = Unangle(record.Get("msgid"));
        state.Size = ulong.TryParse(record.Get("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;
        if (session is not null)
        {
            (state.ClientIp, state.ClientHost, state.SessionId, state.SaslUser) = (session.Ip, session.Host, session.Id, session.SaslUser);
            correlation.Release(context, session, state);
        }

        if (!int.TryParse(record.Get("nrcpts"), NumberStyles.None, CultureInfo.InvariantCulture, out var recipients) || recipients == 0)
        {
            // Every recipient was refused: nothing was accepted; the line only named the client.
            return LineResult.Skipped("sendmail.from_without_recipients");
        }

        return new LineResult(LineOutcome.Event, "sendmail.from", new SmtpEvent(context.Stamp, EventNames.Message, state, context.Qid ?? string.Empty) { Size = state.Size });
    }

    /// <summary><c>to=&lt;x@y&gt;, delay=…, mailer=esmtp, pri=…, relay=host. [ip], dsn=2.0.0, stat=Sent (…)</c>.</summary>
    private LineResult Delivery(ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        if (!SendmailFields.TrySplit(rest, ref fields, out var count))
        {
            return LineResult.Unrecognised("unreadable sendmail to= record");
        }

        var record = new SendmailRecord(rest, fields.AsSpan(0, count));
        var stat = record.Get("stat");
        var (eventName, kind) = stat.StartsWith("Sent") ? (EventNames.Delivery, "sendmail.sent")
            : stat.StartsWith("Deferred") || stat.StartsWith("queued") ? (EventNames.Defer, "sendmail.deferred")
            : (EventNames.Bounce, "sendmail.bounced");
        var detail = stat.ToString();
        var delivered = eventName == EventNames.Delivery;
        // One line for every recipient one mailer took at once (to=<a@x>,<b@x>,…): one event each, as on the other relays.
        // The usual one recipient goes into the event as it is made, rather than into a copy of it.
        var recipients = Formats.Envelope.List(record.Get("to"), ',');
        var one = recipients.Count == 1;
        var shared = new SmtpEvent(context.Stamp, eventName, correlation.MessageOf(context), context.Qid ?? string.Empty)
        {
            RcptTo = one ? recipients[0] : string.Empty,
            NextHop = record.Get("relay").ToString(),
            Dsn = record.Get("dsn").ToString(),
            Detail = detail,
            SmtpCode = delivered ? (ushort)0 : SmtpReply.LeadingCode(stat),
            Reason = delivered ? string.Empty : ReplyReasons.Classify(detail),
        };
        return one ? new LineResult(LineOutcome.Event, kind, shared) : LineResult.PerRecipient(kind, shared, recipients);
    }

    /// <summary><c>ruleset=check_rcpt, arg1=&lt;x@y&gt;, relay=host [ip], reject=550 5.7.1 &lt;x@y&gt;... Relaying denied</c>.</summary>
    private LineResult Ruleset(ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        if (!SendmailFields.TrySplit(rest, ref fields, out var count))
        {
            return LineResult.Unrecognised("unreadable sendmail ruleset record");
        }

        var record = new SendmailRecord(rest, fields.AsSpan(0, count));
        var reject = record.Get("reject");
        if (reject.IsEmpty)
        {
            return LineResult.Skipped("sendmail.ruleset_note");
        }

        var ruleset = record.Get("ruleset");
        var (isRecipient, isSender) = (ruleset.SequenceEqual("check_rcpt"), ruleset.SequenceEqual("check_mail"));
        var argument = Unangle(record.Get("arg1"));
        var reply = reject.ToString();
        var throttled = false;
        foreach (var limit in SendmailGrammar.RateLimitReplies)
        {
            throttled |= reject.Contains(limit, StringComparison.Ordinal);
        }

        // A recipient logged without angle brackets can forge a whole ", relay=…, reject=…": then the reply that
        // echoes it holds a relay= too, and which relay= is Sendmail's own cannot be told. The refusal then takes
        // its client from the envelope's from= line (relay= last), as a refusal logged before its client does.
        var client = SendmailFields.ContainsField(reject, "relay") ? null : SendmailFields.Client(record.Last("relay"));
        var kind = isRecipient ? "sendmail.check_rcpt" : isSender ? "sendmail.check_mail" : "sendmail." + ruleset.ToString();
        return Refusal(
            client is null ? null : correlation.Connect(context, client.Value),
            context,
            kind,
            throttled ? EventNames.RateLimited : isRecipient ? EventNames.RcptReject : EventNames.Reject,
            isRecipient ? argument : string.Empty,
            isSender ? argument : string.Empty,
            reply,
            SmtpReply.LeadingCode(reject));
    }

    /// <summary>
    /// <c>Milter: to=&lt;x@ours.example&gt;, reject=451 4.7.1 Greylisting in action, please come back later</c>:
    /// a milter (milter-greylist, a spam filter) refused a recipient (<c>to=</c>), the sender (<c>from=</c>)
    /// or the message (<c>data, reject=…</c>). A milter line that refuses nothing is a note.
    /// </summary>
    private LineResult Milter(ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        // Outside the recipient or sender in angle brackets: those are the client's words.
        var at = QuotedText.IndexOfOutside(rest, "reject=");
        if (at < 0)
        {
            return LineResult.Skipped("sendmail.milter_note");
        }

        var reject = rest[(at + "reject=".Length)..];
        var subject = rest[..at].TrimEnd(' ').TrimEnd(',');
        var recipient = subject.StartsWith("to=") ? Unangle(subject["to=".Length..]) : string.Empty;
        var sender = subject.StartsWith("from=") ? Unangle(subject["from=".Length..]) : string.Empty;
        return Refusal(null, context, "sendmail.milter", recipient.Length > 0 ? EventNames.RcptReject : EventNames.Reject, recipient, sender, reject.ToString(), SmtpReply.LeadingCode(reject));
    }

    /// <summary><c>AUTH=server, relay=…, authid=user, mech=LOGIN</c> and <c>STARTTLS=server, relay=…</c>: they name the process's client.</summary>
    private LineResult ClientNote(SendmailKind kind, ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        if (SendmailFields.TrySplit(rest, ref fields, out var count) && new SendmailRecord(rest, fields.AsSpan(0, count)) is var record && SendmailFields.Client(record.Last("relay")) is { } client)
        {
            var session = correlation.Connect(context, client);
            session.SaslUser = record.Get("authid") is { Length: > 0 } user ? user.ToString() : session.SaslUser;
            correlation.Release(context, session, null);
        }

        return LineResult.Skipped(kind.Line.Name);
    }

    /// <summary>
    /// <c>AUTH failure (LOGIN): authentication failure (-13) SASL(-13): …, user=admin, relay=host [ip]</c>, written as
    /// <c>"AUTH failure (%s): %s (%d) %s, user=%s, relay=%s"</c>: the user is the guesser's text, whole, from the
    /// <c>, user=</c> Sendmail writes (the first) to the <c>, relay=</c> it writes last — a name may hold either.
    /// </summary>
    private LineResult AuthFailure(ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        const string Relay = ", relay=", User = ", user=";
        var relayAt = rest.LastIndexOf(Relay, StringComparison.Ordinal);
        var beforeRelay = relayAt < 0 ? rest : rest[..relayAt];
        var userAt = beforeRelay.IndexOf(User, StringComparison.Ordinal);
        var client = relayAt < 0 ? null : SendmailFields.Client(rest[(relayAt + Relay.Length)..]);
        var user = userAt < 0 ? string.Empty : beforeRelay[(userAt + User.Length)..].ToString();
        return Emit(client is null ? null : correlation.Connect(context, client.Value), context, "sendmail.auth_failure", EventNames.AuthFailure, rest.ToString(), saslUser: user);
    }

    /// <summary><c>qid: dsnqid: DSN: reason</c>: Sendmail sent a notification for the message <c>qid</c>.</summary>
    private LineResult Dsn(LineFields matched, SendmailLineContext context)
    {
        var notification = matched.Get("ndr_queue_id");
        if (!SendmailFields.IsQueueId(notification))
        {
            return LineResult.Unrecognised("unknown sendmail line");
        }

        return new LineResult(LineOutcome.Event, "sendmail.dsn", new SmtpEvent(context.Stamp, EventNames.NdrSent, correlation.MessageOf(context), context.Qid ?? string.Empty) { Detail = matched.GetString("detail") });
    }

    /// <summary>A line about the connection that names its client in its text: the client of its process from now on.</summary>
    private LineResult ClientLine(SendmailKind kind, ReadOnlySpan<char> named, ReadOnlySpan<char> rest, SendmailLineContext context)
    {
        if (SendmailFields.Client(named) is not { } client)
        {
            return LineResult.Unrecognised(kind.Unreadable);
        }

        var session = correlation.Connect(context, client);
        correlation.Release(context, session, null);
        var eventName = kind.Line.Event!;
        return Emit(session, context, kind.Line.Name, eventName, eventName == EventNames.Connect ? string.Empty : rest.ToString(), queueId: context.Qid ?? string.Empty);
    }

    /// <summary>A refusal of a recipient or of the client's mail, its reason read from its text.</summary>
    private LineResult Refusal(ClientSession? named, SendmailLineContext context, string kind, string eventName, string rcptTo, string mailFrom, string detail, ushort code) =>
        Emit(named, context, kind, eventName, detail, ReplyReasons.Classify(detail), context.Qid ?? string.Empty, rcptTo, mailFrom, code: code);

    /// <summary>
    /// An event of the line, with its client when the line, its message or its process names one (<see cref="SendmailCorrelation.ClientOf"/>,
    /// set as the event is made); else it waits for one (<see cref="SendmailCorrelation.Wait"/>), and is completed when a later line names it.
    /// </summary>
    private LineResult Emit(ClientSession? named, SendmailLineContext context, string kind, string eventName, string detail, string reason = "", string queueId = "", string rcptTo = "", string mailFrom = "", string saslUser = "", ushort code = 0)
    {
        var client = correlation.ClientOf(named, context, out var state);
        var parts = new SendmailEventParts(context.Stamp, eventName, detail, reason, queueId, rcptTo, mailFrom, saslUser, code);
        return client is null ? correlation.Wait(parts, kind, context) : new LineResult(LineOutcome.Event, kind, parts.Make(client, state));
    }

    private static string Unangle(ReadOnlySpan<char> text) => text.Trim().TrimStart('<').TrimEnd('>').ToString();
}
