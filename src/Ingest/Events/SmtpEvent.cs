using System.Diagnostics.CodeAnalysis;
using RelayWatch.Ingest.Formats;

namespace RelayWatch.Ingest.Events;

/// <summary>
/// One recognised log record, normalised: a row of <c>smtp_events</c> (docs/schema.md).
/// Text fields are empty when the record does not carry them.
/// </summary>
public sealed record SmtpEvent
{
    public SmtpEvent()
    {
    }

    /// <summary>
    /// A new event of a line, stamped (<see cref="EventStamp"/>), for an initialiser to complete: one object per event,
    /// where <c>stamp.Event(name) with { … }</c> made two (a parser's hot path).
    /// </summary>
    [SetsRequiredMembers]
    internal SmtpEvent(EventStamp stamp, string name)
    {
        Timestamp = stamp.Timestamp;
        Relay = stamp.Relay;
        Source = stamp.Source;
        Event = name;
        File = stamp.File;
        Line = (ulong)stamp.Line;
    }

    /// <summary>A new event of a message's line: what the message's lines told (<see cref="MessageState"/>), stamped, for an initialiser to complete.</summary>
    [SetsRequiredMembers]
    internal SmtpEvent(EventStamp stamp, string name, MessageState state, string queueId)
        : this(stamp, name)
    {
        ClientIp = state.ClientIp;
        ClientHost = state.ClientHost;
        Helo = state.Helo;
        MailFrom = state.MailFrom;
        QueueId = queueId;
        SessionId = state.SessionId;
        MessageId = state.MessageId;
        SaslUser = state.SaslUser;
    }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Relay { get; init; }

    public required string Source { get; init; }

    /// <summary>One of <see cref="EventNames"/>.</summary>
    public required string Event { get; init; }

    /// <summary>The client address as logged (IPv4 or IPv6 text); empty when none.</summary>
    public string ClientIp { get; init; } = string.Empty;

    public string ClientHost { get; init; } = string.Empty;

    public string Helo { get; init; } = string.Empty;

    public string MailFrom { get; init; } = string.Empty;

    public string RcptTo { get; init; } = string.Empty;

    public ushort SmtpCode { get; init; }

    public string Dsn { get; init; } = string.Empty;

    /// <summary>One of <see cref="Reasons"/>, or empty when the record is not a rejection.</summary>
    public string Reason { get; init; } = string.Empty;

    public string QueueId { get; init; } = string.Empty;

    public string SessionId { get; init; } = string.Empty;

    public string MessageId { get; init; } = string.Empty;

    public ulong Size { get; init; }

    public string SaslUser { get; init; } = string.Empty;

    public string Detail { get; init; } = string.Empty;

    /// <summary>The recipient as the client gave it, when an alias or forward rewrote it (Postfix <c>orig_to=</c>).</summary>
    public string OrigRcptTo { get; init; } = string.Empty;

    /// <summary>Where a delivery handed the message on, as logged (<c>10.20.0.5[10.20.0.5]:2222</c>, <c>none</c>).</summary>
    public string NextHop { get; init; } = string.Empty;

    public string File { get; init; } = string.Empty;

    public ulong Line { get; init; }
}
