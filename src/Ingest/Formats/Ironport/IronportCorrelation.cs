using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// What <see cref="IronportParser"/> keeps between lines, by relay and AsyncOS's ids — connections by ICID,
/// messages by MID, delivery connections by DCID — and the steps of a message's own lines: its sender,
/// recipients and their refusals, Message-ID, acceptance, deliveries, bounces and the bounces it caused.
/// </summary>
internal sealed class IronportCorrelation
{
    public CorrelationMap<string, ClientSession> Sessions { get; } = new(StringComparer.Ordinal);

    public CorrelationMap<string, IronportMessage> Messages { get; } = new(StringComparer.Ordinal);

    public CorrelationMap<string, IronportDelivery> Deliveries { get; } = new(StringComparer.Ordinal);

    public static string Key(string relay, long id) => relay + "/" + id.ToString(CultureInfo.InvariantCulture);

    public ClientSession? Session(string relay, long icid, DateTimeOffset now) => Sessions.Find(Key(relay, icid), now);

    public IronportMessage Message(string relay, long mid, DateTimeOffset now) => Messages.GetOrAdd(Key(relay, mid), now, static () => new IronportMessage());

    public void Sweep(DateTimeOffset cutoff)
    {
        Sessions.Sweep(cutoff);
        Messages.Sweep(cutoff);
        Deliveries.Sweep(cutoff);
    }

    /// <summary>A line of message <paramref name="mid"/>; <paramref name="icid"/> when the line names its connection.</summary>
    public LineResult ApplyToMessage(IronportKind kind, LineFields fields, EventStamp stamp, long mid, long dcid, long? icid)
    {
        var name = kind.Line.Name;
        var relay = stamp.Relay;
        if (kind.Step == IronportStep.GeneratedBounce)
        {
            // A bounce the appliance made: recorded against the message that caused it.
            if (!IronportParser.TryId(fields, "original_mid", out var original))
            {
                return LineResult.Unrecognised("unreadable id in " + name);
            }

            Messages.Remove(Key(relay, mid));
            return Messages.Find(Key(relay, original), stamp.Timestamp) is { } cause
                ? IronportParser.Recorded(name, MessageEvent(stamp, EventNames.NdrSent, cause, original) with { Detail = "MID " + mid.ToString(CultureInfo.InvariantCulture) })
                : LineResult.Skipped("ironport.bounce_of_unknown");
        }

        var message = Message(relay, mid, stamp.Timestamp);
        if (icid is { } connection && message.Session is null)
        {
            message.Session = Session(relay, connection, stamp.Timestamp);
        }

        switch (kind.Step)
        {
            case IronportStep.Sender:
                message.State.MailFrom = Envelope.Bracketed(fields.Get("mail_from"));
                return LineResult.Skipped(name);

            case IronportStep.Recipient:
                if (!int.TryParse(fields.Get("rid"), NumberStyles.None, CultureInfo.InvariantCulture, out var rid))
                {
                    return LineResult.Unrecognised("unreadable ironport recipient line");
                }

                message.Recipients[rid] = Envelope.Bracketed(fields.Get("rcpt_to"));
                return LineResult.Skipped(name);

            case IronportStep.RecipientRefused:
                var refused = fields.Get("rcpt_to");
                var rejectedBy = fields.Get("rejected_by");
                var detail = fields.Has("rejected_by")
                    ? string.Concat("Rejected by ", rejectedBy)
                    : string.Concat("invalid bounce, rcpt address ", refused, " rejected by bounce verification.");
                return IronportParser.Recorded(name, MessageEvent(stamp, EventNames.RcptReject, message, null) with
                {
                    RcptTo = Envelope.Bracketed(refused),
                    Detail = detail,
                    Reason = kind.Reason ?? ReasonOfCheck(rejectedBy) ?? ReplyReasons.Classify(detail),
                    SmtpCode = 550,
                });

            case IronportStep.MessageId:
                message.State.MessageId = fields.Get("message_id").Trim('\'').Trim('"').Trim('<').Trim('>').ToString();
                return LineResult.Skipped(name);

            case IronportStep.Ready:
                if (!ulong.TryParse(fields.Get("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                {
                    return LineResult.Unrecognised("unreadable ironport message size");
                }

                message.State.Size = size;
                message.State.MailFrom = Envelope.Bracketed(fields.Get("mail_from"));
                return IronportParser.Recorded(name, MessageEvent(stamp, EventNames.Message, message, mid) with { Size = size });

            case IronportStep.Delivered:
                // One line delivers to several recipients: one event each, as their bounces and deferrals are.
                var rids = fields.GetString("rids").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var recipients = rids.Select(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? message.Recipients.GetValueOrDefault(number, string.Empty) : string.Empty);
                return LineResult.PerRecipient(name, MessageEvent(stamp, EventNames.Delivery, message, mid) with
                {
                    NextHop = Hop(relay, dcid, stamp.Timestamp),
                }, [.. recipients.Where(r => r.Length > 0)]);

            case IronportStep.DeliveryFailed:
                if (!int.TryParse(fields.Get("rid"), NumberStyles.None, CultureInfo.InvariantCulture, out var failed))
                {
                    return LineResult.Unrecognised("unreadable ironport recipient line");
                }

                var dsn = fields.GetString("dsn");
                var reply = fields.Get("reply");
                return IronportParser.Recorded(name, MessageEvent(stamp, kind.Line.Event!, message, mid) with
                {
                    RcptTo = message.Recipients.GetValueOrDefault(failed, string.Empty),
                    NextHop = Hop(relay, dcid, stamp.Timestamp),
                    Dsn = dsn,
                    // The next hop's reply as AsyncOS quotes it: ('550', ['5.1.1 …']).
                    SmtpCode = reply.IndexOf("('", StringComparison.Ordinal) is var quote and >= 0 ? SmtpReply.LeadingCode(reply[(quote + 2)..]) : (ushort)0,
                    Reason = ReplyReasons.Classify(reply),
                    Detail = string.Concat(dsn, " - ", reply).Trim(),
                });

            default:
                throw new InvalidOperationException($"The AsyncOS line kind {name} has no message step.");
        }
    }

    private string Hop(string relay, long dcid, DateTimeOffset now) => Deliveries.Find(Key(relay, dcid), now)?.Hop ?? string.Empty;

    /// <summary>The reason <see cref="IronportLineKinds.RefusingChecks"/> gives the check that refused a recipient, null when it names none.</summary>
    private static string? ReasonOfCheck(ReadOnlySpan<char> rejectedBy)
    {
        foreach (var (check, reason) in IronportLineKinds.RefusingChecks)
        {
            if (rejectedBy.StartsWith(check, StringComparison.Ordinal))
            {
                return reason;
            }
        }

        return null;
    }

    private static SmtpEvent MessageEvent(EventStamp stamp, string eventName, IronportMessage message, long? mid) => new(stamp, eventName)
    {
        ClientIp = message.Session?.Ip ?? string.Empty,
        ClientHost = message.Session?.Host ?? string.Empty,
        MailFrom = message.State.MailFrom,
        QueueId = mid is { } id ? id.ToString(CultureInfo.InvariantCulture) : string.Empty,
        SessionId = message.Session?.Id ?? string.Empty,
        MessageId = message.State.MessageId,
        SaslUser = message.Session?.SaslUser ?? string.Empty,
    };
}
