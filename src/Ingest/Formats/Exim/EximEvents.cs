using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// Reads the fields a kind of <see cref="EximLineKinds"/> captured into an event, by the kind's
/// <see cref="EximReading"/>, with what <see cref="EximCorrelation"/> knows of the line's session and message.
/// Null when the line is not of that kind after all (a refusal whose fields do not start with the client).
/// </summary>
internal sealed class EximEvents(EximCorrelation correlation)
{
    private readonly EximClientEvents clients = new(correlation);
    private readonly EximFieldReader fieldReader = new();

    public LineResult? Read(EximLineKind kind, LineFields fields, ReadOnlySpan<char> text, EventStamp stamp, string? messageId)
    {
        switch (kind.Reading)
        {
            case EximReading.Skipped:
                return LineResult.Skipped(kind.Name);
            case EximReading.Completed:
                correlation.Complete(stamp, messageId!);
                return LineResult.Skipped(kind.Name);
            case EximReading.Client:
            case EximReading.Connection:
                return clients.ClientLine(kind, fields.Get("client"), stamp);
            case EximReading.Refusal:
            case EximReading.ConnectRefusal:
                var clientFields = fields.Get("fields");
                return messageId is null && fields.Has("fields") && !clientFields.StartsWith("H=") && !clientFields.StartsWith("U=")
                    ? null
                    : Refusal(kind, clientFields, fields, text, stamp, messageId);
            case EximReading.AuthFailure:
                return fields.Get("authenticator").IsEmpty ? null : clients.AuthFailure(fields.Get("client"), stamp);
            case EximReading.ProtocolError:
                return clients.ProtocolError(text, stamp);
            case EximReading.SynchronizationError:
                return clients.SynchronizationError(kind, text, fields.Has("client"), stamp);
            case EximReading.Warning:
                return clients.Warning(fields.Get("fields"), fields.Get("detail"), stamp);
            case EximReading.Arrival:
                return Arrival(messageId!, fields.Get("mail_from"), fields.Get("fields"), stamp);
            case EximReading.Delivery:
                return Delivery(kind, messageId!, fields.Get("rcpt_to"), fields.Get("fields"), stamp);
            case EximReading.HeloRefusal:
                return clients.HeloRefusal(kind, fields.Get("client"), stamp);
            case EximReading.SpamTossed:
                return EximSpamVerdict.Tossed(fields.Get("detail"), stamp, messageId!, correlation);
            default:
                throw new InvalidOperationException($"The Exim line kind {kind.Name} has a reading the parser does not know.");
        }
    }

    /// <summary>
    /// A refusal: <paramref name="clientFields"/> are the client's (<c>H=… F=&lt;…&gt;</c>, ending in
    /// <c>temporarily</c> when it is), the template captured the refused envelope, and after <c>: </c> comes the reason.
    /// </summary>
    private LineResult Refusal(EximLineKind kind, ReadOnlySpan<char> clientFields, LineFields fields, ReadOnlySpan<char> text, EventStamp stamp, string? messageId)
    {
        var parsed = fieldReader.Read(clientFields);
        var host = parsed.Host;
        var sender = fields.Has("mail_from") ? fields.GetString("mail_from") : parsed.Value("F") ?? string.Empty;
        var rest = fields.Get("rest");
        var colon = rest.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0 && !fields.Has("rcpt_to") && !fields.Has("mail_from"))
        {
            // No reason given: the detail is what was refused ("rejected connection in \"connect\" ACL", "after DATA").
            rest = messageId is null ? text[(clientFields.IsEmpty ? 0 : clientFields.Length + 1)..] : text[(clientFields.Length + " rejected ".Length)..];
        }

        var detail = (colon >= 0 ? rest[(colon + 2)..] : rest).Trim().Trim('"').ToString();
        var state = messageId is null ? null : correlation.Message(stamp, messageId);
        var session = host is null ? null : correlation.Find(stamp, host, EximFieldReader.Port(clientFields));
        return new LineResult(LineOutcome.Event, kind.Name, new SmtpEvent(stamp, kind.Kind.Event!)
        {
            ClientIp = host?.Ip ?? state?.ClientIp ?? string.Empty,
            ClientHost = host is null ? state?.ClientHost ?? string.Empty : host.VerifiedName,
            // At the connect ACL no HELO has been given yet.
            Helo = host is null ? state?.Helo ?? string.Empty : kind.Reading == EximReading.ConnectRefusal ? host.Helo : host.HeloOrName,
            MailFrom = sender.Length > 0 ? sender : state?.MailFrom ?? string.Empty,
            RcptTo = fields.GetString("rcpt_to"),
            SmtpCode = clientFields.EndsWith(" temporarily") ? (ushort)450 : kind.Code,
            Reason = ReplyReasons.Classify(detail),
            QueueId = messageId ?? string.Empty,
            SessionId = session?.Id ?? state?.SessionId ?? string.Empty,
            MessageId = state?.MessageId ?? string.Empty,
            Detail = detail,
        });
    }

    /// <summary><c>&lt;= sender H=… P=… S=… id=…</c>: a message accepted; a bounce we made (<c>&lt;= &lt;&gt; R=parent</c>) is recorded as a notification sent.</summary>
    private LineResult Arrival(string id, ReadOnlySpan<char> sender, ReadOnlySpan<char> list, EventStamp stamp)
    {
        var fields = fieldReader.Read(list);
        var host = fields.Host;
        var session = host is null ? null : correlation.Find(stamp, host, EximFieldReader.Port(list));
        var state = correlation.Message(stamp, id);
        var nullSender = sender.SequenceEqual("<>");
        state.ClientIp = host?.Ip ?? string.Empty;
        state.ClientHost = host is null ? string.Empty : host.VerifiedName;
        state.Helo = host is null ? string.Empty : host.HeloOrName;
        state.MailFrom = nullSender ? string.Empty : sender.ToString();
        state.MessageId = fields.Value("id") ?? string.Empty;
        state.SessionId = session?.Id ?? string.Empty;
        state.SaslUser = fields.Value("A") is { } auth && auth.IndexOf(':') is var colon and >= 0 ? auth[(colon + 1)..] : string.Empty;
        state.Size = ulong.TryParse(fields.Value("S"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;

        if (nullSender && fields.Value("R") is { } parent && correlation.FindMessage(stamp, parent) is { } original)
        {
            // Exim's own bounce: recorded against the message that caused it, as Postfix's "sender non-delivery notification".
            return new LineResult(LineOutcome.Event, "exim.bounce_message", new SmtpEvent(stamp, EventNames.NdrSent, original, parent) { Detail = id });
        }

        return new LineResult(LineOutcome.Event, "exim.arrival", new SmtpEvent(stamp, EventNames.Message, state, id) { Size = state.Size });
    }

    /// <summary><c>=&gt; rcpt &lt;original&gt; R=… T=… H=…</c> and its defer (<c>==</c>) and bounce (<c>**</c>) siblings.</summary>
    private LineResult Delivery(EximLineKind kind, string id, ReadOnlySpan<char> rcpt, ReadOnlySpan<char> tail, EventStamp stamp)
    {
        var eventName = kind.Kind.Event!;
        var original = string.Empty;
        if (tail.StartsWith("<") && tail.IndexOf('>') is var close and > 0)
        {
            original = tail[1..close].ToString();
            tail = tail[(close + 1)..].TrimStart();
        }

        // Defers and bounces end with the reason after ": "; the field list comes before it.
        var detail = string.Empty;
        var reasonAt = eventName == EventNames.Delivery ? -1 : tail.IndexOf(": ", StringComparison.Ordinal);
        if (reasonAt >= 0)
        {
            detail = tail[(reasonAt + 2)..].Trim().ToString();
            tail = tail[..reasonAt];
        }

        var fields = fieldReader.Read(tail);
        var host = fields.Host;
        if (eventName == EventNames.Delivery)
        {
            detail = fields.Value("C") ?? string.Empty;
        }

        var port = EximFieldReader.Port(tail);
        return new LineResult(LineOutcome.Event, kind.Name, new SmtpEvent(stamp, eventName, correlation.Message(stamp, id), id)
        {
            RcptTo = rcpt.TrimEnd(':').ToString(),
            OrigRcptTo = original,
            NextHop = host is null ? (fields.Value("T") is { Length: > 0 } transport ? transport : string.Empty)
                : $"{(host.Name.Length > 0 ? host.Name : host.Ip)}[{host.Ip}]{(port.Length > 0 ? ":" + port : string.Empty)}",
            Detail = detail,
            SmtpCode = SmtpReply.FirstCode(detail),
            Reason = eventName == EventNames.Delivery ? string.Empty : ReplyReasons.Classify(detail),
        });
    }
}
