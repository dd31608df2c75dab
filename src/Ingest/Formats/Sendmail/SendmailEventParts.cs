using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// What a Sendmail line says of its event, before its client is known: the event is made from these once, with the
/// client when a line names it (at once, or when a refusal that waited is released) or without (<see cref="SendmailCorrelation"/>),
/// so a refusal that waits is not made twice.
/// </summary>
internal readonly record struct SendmailEventParts(
    EventStamp Stamp, string Name, string Detail, string Reason, string QueueId, string RcptTo, string MailFrom, string SaslUser, ushort Code)
{
    /// <summary>
    /// The event, with <paramref name="client"/>'s address, name and session when there is one; its login and sender
    /// then fill a login or sender the line did not give (the sender from <paramref name="state"/>, the message's).
    /// </summary>
    public SmtpEvent Make(ClientSession? client, MessageState? state) => new(Stamp, Name)
    {
        ClientIp = client?.Ip ?? string.Empty,
        ClientHost = client?.Host ?? string.Empty,
        SessionId = client?.Id ?? string.Empty,
        SaslUser = SaslUser.Length > 0 || client is null ? SaslUser : client.SaslUser,
        RcptTo = RcptTo,
        MailFrom = MailFrom.Length > 0 || client is null ? MailFrom : state?.MailFrom ?? string.Empty,
        SmtpCode = Code,
        Reason = Reason,
        QueueId = QueueId,
        Detail = Detail,
    };
}
