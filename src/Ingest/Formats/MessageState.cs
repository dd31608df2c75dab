using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats;

/// <summary>
/// What one line of a message told about it that its later lines do not repeat — the client, its
/// HELO and login, the session, the sender, size and Message-ID — kept by a parser under the
/// message's queue id (Postfix) or message id (Exim) until the message is done.
/// </summary>
internal sealed class MessageState : ICorrelationState
{
    public string ClientIp { get; set; } = string.Empty;

    public string ClientHost { get; set; } = string.Empty;

    public string Helo { get; set; } = string.Empty;

    public string SaslUser { get; set; } = string.Empty;

    public string SessionId { get; set; } = string.Empty;

    public string MessageId { get; set; } = string.Empty;

    public string MailFrom { get; set; } = string.Empty;

    public ulong Size { get; set; }

    /// <summary>
    /// Whether the message was announced (Postfix's qmgr <c>from=</c> line): Postfix announces a
    /// deferred message again each time it comes back from the deferred queue, and that is one message.
    /// </summary>
    public bool Announced { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>An event of this message: what the message's lines told, stamped with the line's own time, place and lineage.</summary>
    public SmtpEvent ToEvent(string source, string eventName, DateTimeOffset timestamp, string relay, string queueId, string file, long line) => new()
    {
        Timestamp = timestamp,
        Relay = relay,
        Source = source,
        Event = eventName,
        ClientIp = ClientIp,
        ClientHost = ClientHost,
        Helo = Helo,
        MailFrom = MailFrom,
        QueueId = queueId,
        SessionId = SessionId,
        MessageId = MessageId,
        SaslUser = SaslUser,
        File = file,
        Line = (ulong)line,
    };
}
