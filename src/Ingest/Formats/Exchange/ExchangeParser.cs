using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;
using Sprache;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// Reads Microsoft Exchange's transport logs — message tracking logs and SMTP receive protocol logs (send
/// protocol logs, our own connections out, are recognised and skipped: the tracking log's <c>SEND</c>,
/// <c>FAIL</c> and <c>DEFER</c> rows tell what became of each message) — with <see cref="ExchangeLineKinds"/>,
/// by the column names of each file's <c>#Fields:</c> header (a header may change mid-file; a protocol log
/// without one is read in Exchange's default column order). A protocol session's records share its session
/// id: the client's <c>EHLO</c>, <c>MAIL FROM</c> and <c>RCPT TO</c> are remembered for the server's refusals,
/// a refusal answering a <c>RCPT TO</c> is a refused recipient. A tracked message's later records take their
/// client from its <c>RECEIVE</c> (in any tracking log of the same folder: received before midnight, delivered in the next day's file), and its login from the protocol session that <c>RECEIVE</c> names
/// (<c>source-context</c>'s session id on the same receive connector, from the same client), when that
/// session's protocol log was read first (<see cref="Sources.LogFiles.OldestFirst"/> reads it first). The relay is <c>--relay</c>, else the server the records name, else the
/// folder the file is in.
/// </summary>
internal sealed class ExchangeParser : ILogParser
{
    private const int MaxFields = 48;
    private const int MaxCaptures = 4;

    private static readonly Dictionary<string, ExchangeKind> TrackingKinds =
        ExchangeLineKinds.Tracking.ToDictionary(k => k.Line.Template.Text, StringComparer.Ordinal);

    private static readonly ExchangeColumns ProtocolDefault = new(ExchangeColumns.ProtocolDefault);

    /// <summary>How many distinct <c>#Fields:</c> headers <see cref="headers"/> keeps before it starts again.</summary>
    private const int MaxHeaders = 64;

    private readonly Dictionary<string, ExchangeFile> files = new(StringComparer.Ordinal);

    /// <summary>
    /// The columns of each <c>#Fields:</c> header read, by its text: every file of one server repeats the same few
    /// headers (one a file, or a day), and reading one with the grammar allocates tens of kilobytes (Sprache makes an
    /// input a character) where finding it here allocates nothing.
    /// </summary>
    private readonly Dictionary<string, ExchangeColumns> headers = new(StringComparer.Ordinal);
    private readonly ExchangeSessions sessions = new();
    private readonly CorrelationMap<string, ExchangeReceived> received = new(StringComparer.Ordinal);
    private string? lastPath;
    private ExchangeFile lastFile = new(string.Empty);
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

        var file = FileOf(origin.File);
        if (line[0] == '#')
        {
            return Header(line, file);
        }

        Span<ExchangeField> fields = stackalloc ExchangeField[MaxFields];
        if (!ExchangeCsv.TrySplit(line, fields, out var count))
        {
            return LineResult.Unrecognised("unreadable exchange record");
        }

        var record = new ExchangeRecord(line, fields[..count]);
        var columns = file.Columns;
        if (columns is null)
        {
            if (count < ExchangeColumns.ProtocolDefault.Length - 1 || record.Raw(6) is not ("+" or "-" or "<" or ">" or "*"))
            {
                return LineResult.Unrecognised("exchange record without a #Fields header");
            }

            file.Columns = columns = ProtocolDefault;
        }

        if (!ExchangeTimestamp.TryRead(record.Raw(columns.DateTime), out var timestamp))
        {
            return LineResult.Unrecognised("unreadable exchange date-time");
        }

        if (++linesSinceSweep >= 50_000)
        {
            linesSinceSweep = 0;
            sessions.Sweep(timestamp - Horizon);
            received.Sweep(timestamp - TimeSpan.FromDays(7));
            sessions.SweepLogins(timestamp - TimeSpan.FromDays(7));
        }

        return columns.IsTracking ? Tracking(record, columns, file, new EventStamp(timestamp, string.Empty, Source, origin.File, lineNumber), origin)
            : columns.IsProtocol && file.Sending ? LineResult.Skipped("exchange.send_protocol")
            : columns.IsProtocol ? Protocol(record, columns, file, new EventStamp(timestamp, ProtocolRelay(record.Raw(columns.ConnectorId), file, origin), Source, origin.File, lineNumber))
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
        return columns.Length >= ExchangeColumns.ProtocolDefault.Length - 1 && columns[6] is "+" or "-" or "<" or ">" or "*";
    }

    private LineResult Header(ReadOnlySpan<char> line, ExchangeFile file)
    {
        if (line.StartsWith("#Log-type:"))
        {
            // A send protocol log records our own connections out: its replies are the far side's, not ours to the client.
            file.Sending = line.Contains("Send", StringComparison.Ordinal);
        }

        if (line.StartsWith("#Fields:"))
        {
            var known = headers.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!known.TryGetValue(line, out var columns))
            {
                var text = line.ToString();
                var names = ExchangeGrammar.Fields.TryParse(text);
                if (!names.WasSuccessful)
                {
                    return LineResult.Unrecognised("unreadable exchange #Fields header");
                }

                if (headers.Count >= MaxHeaders)
                {
                    headers.Clear();
                }

                headers[text] = columns = new ExchangeColumns(names.Value);
            }

            file.Columns = columns;
        }

        return LineResult.Skipped("exchange.header");
    }

    private LineResult Tracking(ExchangeRecord record, ExchangeColumns columns, ExchangeFile file, EventStamp stamp, LineOrigin origin)
    {
        if (!TrackingKinds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(record.Raw(columns.EventId), out var kind))
        {
            return LineResult.Unrecognised("unknown exchange tracking event");
        }

        if (kind.Step == ExchangeStep.Note)
        {
            return LineResult.Skipped(kind.Line.Name);
        }

        var client = record.Text(columns.ClientIp);
        var server = record.Text(columns.ServerHostname);
        var status = record.Text(columns.RecipientStatus);
        // The server that wrote the log: named by its receive and delivery lines (send, fail and defer lines name the next hop instead).
        if (kind.Step is ExchangeStep.Receive or ExchangeStep.Deliver && server.Length > 0)
        {
            file.Server = server;
        }

        // A message's later lines name the sending server as their client; the client is the one it came from.
        var internalId = record.Text(columns.InternalMessageId);
        var isReceive = kind.Step == ExchangeStep.Receive;
        var eventName = kind.Line.Event!;
        var isNotice = eventName == EventNames.NdrSent;
        // A DSN is a message of its own: the one it reports on is named by its reference (a Message-ID).
        var reference = isNotice ? record.Text(columns.Reference).Trim('<', '>') : string.Empty;
        var came = reference.Length > 0 ? received.Find(file.Messages + "<" + reference + ">", stamp.Timestamp)
            : isReceive || internalId.Length == 0 ? null : received.Find(file.Messages + internalId, stamp.Timestamp);
        // A message received over SMTP names its session (source-context) and connector, which the protocol log's
        // login was kept by; a DSN's reference is a Message-ID its sender chose, so a DSN never takes a login from it.
        var saslUser = isReceive ? LoginOf(record, columns, stamp.Timestamp)
            : reference.Length == 0 ? came?.SaslUser ?? string.Empty
            : string.Empty;
        if (isReceive && internalId.Length > 0)
        {
            var from = new ExchangeReceived(client, record.Text(columns.ClientHostname), record.Text(columns.SenderAddress), saslUser) { LastSeen = stamp.Timestamp };
            received.Set(file.Messages + internalId, from);
            if (record.Text(columns.MessageId).Trim('<', '>') is { Length: > 0 } messageId)
            {
                received.Set(file.Messages + "<" + messageId + ">", from);
            }
        }

        var failed = eventName is EventNames.Bounce or EventNames.Defer;
        // A notification's sender is the null sender; like the other relays' ndr_sent, the event names the sender it goes back to.
        var sender = isNotice && came is not null ? came.Sender : record.Text(columns.SenderAddress);
        var shared = new SmtpEvent(stamp with { Relay = origin.Relay ?? file.Server ?? origin.FolderOr("exchange") }, eventName)
        {
            ClientIp = came?.Ip ?? (isReceive ? ClientAddress.Canonical(client) ?? string.Empty : string.Empty),
            ClientHost = came?.Host ?? (isReceive ? record.Text(columns.ClientHostname) : string.Empty),
            MailFrom = sender is "<>" ? string.Empty : sender,
            SaslUser = saslUser,
            QueueId = internalId,
            MessageId = record.Text(columns.MessageId).Trim('<', '>'),
            Size = ulong.TryParse(record.Raw(columns.TotalBytes), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0,
            NextHop = kind.Step switch
            {
                ExchangeStep.Send => server.Length > 0 ? $"{server}[{record.Text(columns.ServerIp)}]" : record.Text(columns.ServerIp),
                ExchangeStep.Deliver => "mailbox",
                _ => string.Empty,
            },
        };
        // A delivery, bounce or deferral record for all the recipients of one hop (a;b, their statuses s1;s2): one event
        // each, as on the other relays. A message received (or a DSN sent) is one event, naming its recipients.
        var recipients = ExchangeRecipients.Read(record.Text(columns.RecipientAddress), status);
        return recipients.Count == 0 || eventName is not (EventNames.Delivery or EventNames.Bounce or EventNames.Defer)
            ? new LineResult(LineOutcome.Event, kind.Line.Name, WithStatus(shared, status, failed) with { RcptTo = string.Join(",", recipients.Select(r => r.Address)) })
            : LineResult.Several(kind.Line.Name, [.. recipients.Select(r => WithStatus(shared, r.Status, failed) with { RcptTo = r.Address })]);
    }

    /// <summary>
    /// The account the protocol session that received this message over SMTP authenticated as: the session is the
    /// one whose id begins <c>source-context</c> on the record's receive connector, and its client must be the
    /// record's <c>client-ip</c>. Empty for any other source, or when that session's login was not read (its
    /// protocol log not ingested, or ingested after this record: see docs/operations.md).
    /// </summary>
    private string LoginOf(ExchangeRecord record, ExchangeColumns columns, DateTimeOffset now)
    {
        if (!record.Raw(columns.Source).Equals("SMTP", StringComparison.OrdinalIgnoreCase))
        {
            return string.Empty;
        }

        var context = record.Raw(columns.SourceContext);
        var sessionId = context.IndexOf(';') is var end and >= 0 ? context[..end] : context;
        var client = ClientAddress.Canonical(record.Text(columns.ClientIp)) ?? string.Empty;
        return sessions.Login(record.Text(columns.ConnectorId), sessionId, client, now)?.Account ?? string.Empty;
    }

    private static SmtpEvent WithStatus(SmtpEvent shared, string status, bool failed) => shared with
    {
        Detail = status,
        SmtpCode = failed ? SmtpReply.LeadingCode(status) : (ushort)0,
        Reason = failed ? ReplyReasons.Classify(status) : string.Empty,
    };

    private LineResult Protocol(ExchangeRecord record, ExchangeColumns columns, ExchangeFile file, EventStamp stamp)
    {
        var marker = record.Raw(columns.Event);
        var at = marker.Length == 1 ? ExchangeColumns.ProtocolEvent(marker[0]) : -1;
        if (at < 0)
        {
            return LineResult.Unrecognised("unknown exchange protocol event");
        }

        var protocolEvent = ExchangeLineKinds.Protocol[at];
        var column = columns.EventColumns[at];
        scoped var text = record.IsEscaped(column) ? record.Text(column).AsSpan() : record.Raw(column);
        Span<char> buffer = stackalloc char[256];
        if (protocolEvent.Marker == '<')
        {
            text = SmtpVerb.InCapitals(text, text.Length <= buffer.Length ? buffer[..text.Length] : new char[text.Length]);
        }

        Span<Range> captures = stackalloc Range[MaxCaptures];
        foreach (var kind in protocolEvent.Kinds)
        {
            if (kind.Line.Template.TryMatch(text, captures))
            {
                return sessions.Apply(kind, new LineFields(text, kind.Line.Template, captures), record, columns, stamp);
            }
        }

        return LineResult.Unrecognised(protocolEvent.Marker == '>' ? "exchange reply without a reply code" : "unknown exchange protocol record");
    }

    /// <summary>The relay of a protocol record: <c>--relay</c>, else the server its connector id names (<c>EDGE1\Default …</c>), else the file's folder.</summary>
    private static string ProtocolRelay(ReadOnlySpan<char> connector, ExchangeFile file, LineOrigin origin)
    {
        if (origin.Relay is { } relay)
        {
            return relay;
        }

        var slash = connector.IndexOf('\\');
        if (slash <= 0)
        {
            return origin.FolderOr("exchange");
        }

        if (!connector[..slash].SequenceEqual(file.ConnectorRelay))
        {
            file.ConnectorRelay = connector[..slash].ToString();
        }

        return file.ConnectorRelay;
    }

    /// <summary>The state of the file the line is from; a run reads one file's lines after another, so the last is kept at hand.</summary>
    private ExchangeFile FileOf(string path)
    {
        if (!ReferenceEquals(path, lastPath))
        {
            if (!files.TryGetValue(path, out var file))
            {
                files[path] = file = new ExchangeFile((Path.GetDirectoryName(path) ?? string.Empty) + "/");
            }

            (lastPath, lastFile) = (path, file);
        }

        return lastFile;
    }
}
