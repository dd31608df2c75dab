namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>How <see cref="DominoParser"/> reads a console line once its <see cref="DominoKind"/> matched.</summary>
internal enum DominoReading
{
    /// <summary>Known, and carries nothing RelayWatch stores.</summary>
    Skipped,

    /// <summary><c>{client} connected</c>: a session starts.</summary>
    Connected,

    /// <summary><c>{client} disconnected. n message[s] received</c>: the session ends.</summary>
    Disconnected,

    /// <summary><c>Originator: &lt;sender&gt;</c>: the sender of the session's message in progress.</summary>
    Originator,

    /// <summary><c>Message {note} (MessageID: …) received from {client} size n bytes</c>.</summary>
    Received,

    /// <summary><c>Authentication failed for user U ; connecting host {client}</c>.</summary>
    PasswordFailure,

    /// <summary><c>Authentication succeeded for user U ; connecting host {client}</c>: the session's user.</summary>
    PasswordSuccess,

    /// <summary><c>smtp: U [ip] authentication failure using internet password</c>.</summary>
    InternetPasswordFailure,

    /// <summary><c>Message rejected. Authenticated user U from host {client} sending mail from X failed to match …</c>.</summary>
    ForgedSender,

    /// <summary>A refusal or blocklist hit naming the client somewhere in its text (in brackets, parentheses, or bare).</summary>
    Refusal,

    /// <summary>A refusal naming the client somewhere in its text: of the recipient it names in angle brackets, else of the client.</summary>
    RecipientRefusal,

    /// <summary>The Router's <c>Message {note} delivered to / transferred to / NOT transferred via …</c>.</summary>
    Routed,

    /// <summary>The Router's <c>Unable to deliver message {note} to {rcpt}: reason</c>.</summary>
    DeliveryFailure,
}
