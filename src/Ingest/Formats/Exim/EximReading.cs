namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>How <see cref="EximParser"/> reads the fields a line kind's template captured, by the shape of the line.</summary>
internal enum EximReading
{
    /// <summary>Recognised and deliberately not stored.</summary>
    Skipped,

    /// <summary>Fixed words, then the client (<c>{client}</c>: <c>name (helo) [ip]:port</c>) and a detail; the kind's tails, when it has any, say which details it knows.</summary>
    Client,

    /// <summary><c>SMTP connection from {client}</c>: opens or closes a session, by the tail after the client.</summary>
    Connection,

    /// <summary>A refusal: the client's field list (<c>{fields}</c>: <c>H=… F=&lt;…&gt;</c>), then the refused envelope and the reason (<c>{rest}</c>).</summary>
    Refusal,

    /// <summary>A refusal at the connect ACL: as <see cref="Refusal"/>, but no HELO has been given yet, so none is inferred.</summary>
    ConnectRefusal,

    /// <summary>An authenticator's failure: <c>{client}</c> with or without <c>H=</c>, then the reply.</summary>
    AuthFailure,

    /// <summary><c>SMTP protocol error in "CMD" H=…</c>: the command is the client's text, read around.</summary>
    ProtocolError,

    /// <summary><c>SMTP protocol synchronization error …</c>: the command and the early input are the client's text, read around.</summary>
    SynchronizationError,

    /// <summary><c>H=… Warning: text</c>: an ACL's warning; a DNS list's verdict is a blocklist hit.</summary>
    Warning,

    /// <summary><c>&lt;= sender fields</c>: a message accepted, or a bounce Exim made.</summary>
    Arrival,

    /// <summary><c>=&gt;</c>, <c>-&gt;</c>, <c>==</c>, <c>**</c>: a delivery, a defer, a bounce of one recipient.</summary>
    Delivery,

    /// <summary><c>Completed</c>: the message is done, its state can go.</summary>
    Completed,

    /// <summary><c>rejected HELO from {client}: reason</c>.</summary>
    HeloRefusal,

    /// <summary><c>SA: Action: silently tossed message: {detail}</c>: sa-exim threw the message away (<see cref="EximSpamVerdict"/>).</summary>
    SpamTossed,
}
