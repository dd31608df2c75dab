using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Postfix;

/// <summary>
/// Reads Postfix syslog lines with <see cref="PostfixGrammar"/> and correlates them: an smtpd
/// process's lines from connect to disconnect share a session id, and a message's lines share
/// what each of them knows (client, sender, size, Message-ID) through its queue id. Correlation
/// state is bounded: entries idle for longer than <see cref="Horizon"/> are dropped.
/// </summary>
internal sealed class PostfixParser : ILogParser
{
    /// <summary>Pseudo-event of <c>QUEUEID: client=…</c>: it only feeds the message's state.</summary>
    public const string MessageClient = "@client";

    /// <summary>Pseudo-event of cleanup's <c>message-id=</c>: it only feeds the message's state.</summary>
    public const string MessageHeader = "@message-id";

    /// <summary>Pseudo-event of qmgr's <c>removed</c>: the message's state can go.</summary>
    public const string MessageRemoved = "@removed";

    private const int MaxCaptures = 16;
    private const int SweepEvery = 50_000;

    private readonly CorrelationMap<(string Relay, int Pid), Session> sessions = new();
    private readonly CorrelationMap<string, MessageState> messages = new(StringComparer.Ordinal);
    private long linesSinceSweep;

    public string Source => "postfix";

    /// <summary>How long correlation state may sit idle before it is dropped. Default 5 days (Postfix's default maximal queue lifetime).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(5);

    public int OpenSessions => sessions.Count;

    public int OpenMessages => messages.Count;

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (!SyslogHeaderReader.TryRead(line, origin.Timestamps, out var header))
        {
            return LineResult.Unrecognised("no syslog header");
        }

        var program = line[header.Program];
        if (!program.StartsWith("postfix", StringComparison.Ordinal) && !program.SequenceEqual("policyd-spf"))
        {
            return LineResult.Skipped("other program");
        }

        var daemon = program[(program.LastIndexOf('/') + 1)..];
        if (PostfixGrammar.SkippedDaemons.GetAlternateLookup<ReadOnlySpan<char>>().Contains(daemon))
        {
            return LineResult.Skipped("postfix." + daemon.ToString());
        }

        if (!PostfixGrammar.KindsByDaemon.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(daemon, out var kinds))
        {
            return LineResult.Unrecognised("unknown postfix daemon");
        }

        if (++linesSinceSweep >= SweepEvery)
        {
            Sweep(header.Timestamp);
        }

        var message = line[header.MessageStart..];
        Span<Range> captures = stackalloc Range[MaxCaptures];
        foreach (var kind in kinds)
        {
            if (!kind.Template.TryMatch(message, captures))
            {
                continue;
            }

            var fields = new LineFields(message, kind.Template, captures);
            var eventName = kind.EventFor(fields);
            if (eventName is null)
            {
                return LineResult.Skipped(kind.Name);
            }

            if (fields.Get("client_ip") is { IsEmpty: false } address && address is not "unknown" && ClientAddress.Canonical(address) is null)
            {
                // A damaged address would be stored as "::" and blamed on no one.
                return LineResult.Unrecognised("unreadable client address in " + kind.Name);
            }

            // A line without a host name (some syslog daemons omit it) is the relay's whose folder holds the file, as for native Exim.
            var relay = origin.RelayOf(header, line, Source);
            var built = Build(eventName, fields, header, relay, daemon, origin.File, lineNumber);
            return built is null ? LineResult.Skipped(kind.Name) : new LineResult(LineOutcome.Event, kind.Name, built);
        }

        return LineResult.Unrecognised("unknown " + daemon.ToString() + " line");
    }

    private SmtpEvent? Build(string eventName, LineFields fields, SyslogHeader header, string relay, ReadOnlySpan<char> daemon, string file, long lineNumber)
    {
        var queueId = fields.Get("queue_id");
        if (queueId.SequenceEqual("NOQUEUE"))
        {
            queueId = [];
        }

        var queueKey = queueId.IsEmpty ? null : relay + "/" + queueId.ToString();
        var sessionId = daemon.SequenceEqual("smtpd") ? SessionFor(eventName, relay, header) : string.Empty;

        switch (eventName)
        {
            case MessageClient:
                var client = Message(queueKey!, header.Timestamp);
                client.ClientIp = ClientIp(fields);
                client.ClientHost = fields.GetString("client_host");
                client.SaslUser = fields.GetString("sasl_user");
                client.SessionId = sessionId;
                client.Helo = sessions.Peek(SessionKey(relay, header.Pid))?.Helo ?? string.Empty;
                return null;
            case MessageHeader:
                Message(queueKey!, header.Timestamp).MessageId = fields.GetString("message_id");
                return null;
            case MessageRemoved:
                messages.Remove(queueKey!);
                return null;
        }

        var state = queueKey is null ? null : Message(queueKey, header.Timestamp);
        if (state is not null && eventName == EventNames.Message)
        {
            if (state.Announced)
            {
                // Back from the deferred queue for another try: the message was counted when it first came.
                return null;
            }

            (state.MailFrom, state.Size, state.Announced) = (fields.GetString("mail_from"), ParseSize(fields.Get("size")), true);
        }

        var helo = fields.GetString("helo");
        if (helo.Length > 0 && daemon.SequenceEqual("smtpd") && sessions.Peek(SessionKey(relay, header.Pid)) is { } current)
        {
            current.Helo = helo;
        }

        var code = ParseCode(fields.Get("smtp_code"));
        // A disconnect's detail is its command counts (rcpt=1/21: one recipient accepted of 21 tried);
        // a non-delivery notification's, the queue id of the notification.
        var detail = eventName switch
        {
            EventNames.Disconnect => fields.Get("command_counts").Trim().ToString(),
            EventNames.NdrSent => fields.GetString("ndr_queue_id"),
            EventNames.Spf => "identity=" + fields.GetString("spf_identity"),
            _ => fields.GetString("detail"),
        };
        var isRejection = eventName is EventNames.RcptReject or EventNames.Reject || code >= 400;
        return new SmtpEvent
        {
            Timestamp = header.Timestamp,
            Relay = relay,
            Source = Source,
            Event = eventName,
            ClientIp = Pick(ClientIp(fields), state?.ClientIp),
            ClientHost = Pick(fields.GetString("client_host"), state?.ClientHost),
            Helo = Pick(helo, state?.Helo),
            MailFrom = fields.Has("mail_from") ? Sender(fields.Get("mail_from")) : state?.MailFrom ?? string.Empty,
            RcptTo = fields.GetString("rcpt_to"),
            SmtpCode = code,
            Dsn = fields.GetString("dsn"),
            Reason = eventName == EventNames.Spf ? fields.GetString("spf_result").ToLowerInvariant()
                : isRejection ? ReplyReasons.Classify(detail) : string.Empty,
            QueueId = queueId.ToString(),
            SessionId = Pick(sessionId, state?.SessionId),
            MessageId = state?.MessageId ?? string.Empty,
            Size = eventName == EventNames.Message ? state!.Size : 0,
            SaslUser = Pick(fields.GetString("sasl_user"), state?.SaslUser),
            Detail = detail,
            NextHop = fields.GetString("next_hop"),
            OrigRcptTo = fields.GetString("orig_rcpt_to"),
            File = file,
            Line = (ulong)lineNumber,
        };
    }

    /// <summary>An envelope sender as logged; a bare <c>&lt;&gt;</c> (policyd-spf writes it so) is the null sender, as <c>from=&lt;&gt;</c> is.</summary>
    private static string Sender(ReadOnlySpan<char> value) => value.IsEmpty || value.SequenceEqual("<>") ? string.Empty : value.ToString();

    /// <summary>The session of an smtpd process: opened by connect, closed by disconnect, by relay and pid.</summary>
    private string SessionFor(string eventName, string relay, SyslogHeader header)
    {
        var key = SessionKey(relay, header.Pid);
        if (eventName == EventNames.Connect)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{relay}/{header.Pid}/{header.Timestamp.ToUnixTimeMilliseconds():x}");
            sessions.Set(key, new Session(id) { LastSeen = header.Timestamp });
            return id;
        }

        if (sessions.Find(key, header.Timestamp) is not { } session)
        {
            return string.Empty;
        }

        if (eventName == EventNames.Disconnect)
        {
            sessions.Remove(key);
        }

        return session.Id;
    }

    private MessageState Message(string key, DateTimeOffset now) => messages.GetOrAdd(key, now, static () => new MessageState());

    /// <summary>Drops correlation state idle for longer than the horizon (a lost disconnect, a purged queue file).</summary>
    private void Sweep(DateTimeOffset now)
    {
        linesSinceSweep = 0;
        sessions.Sweep(now - Horizon);
        messages.Sweep(now - Horizon);
    }

    private static (string Relay, int Pid) SessionKey(string relay, int pid) => (relay, pid);

    /// <summary>The line's client address in canonical form (anything else was refused as unreadable before, but <c>unknown</c>).</summary>
    private static string ClientIp(LineFields fields) => ClientAddress.Canonical(fields.Get("client_ip")) ?? fields.GetString("client_ip");

    private static string Pick(string value, string? fallback) => value.Length > 0 ? value : fallback ?? string.Empty;

    private static ushort ParseCode(ReadOnlySpan<char> text) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 200 and < 600 ? code : (ushort)0;

    private static ulong ParseSize(ReadOnlySpan<char> text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;

    private sealed class Session(string id) : ICorrelationState
    {
        public string Id { get; } = id;

        public string Helo { get; set; } = string.Empty;

        public DateTimeOffset LastSeen { get; set; }
    }
}
