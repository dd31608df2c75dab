namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>What a kind of Exchange record does to the sessions and messages the parser correlates.</summary>
internal enum ExchangeStep
{
    /// <summary>Nothing: recognised and skipped.</summary>
    Note,

    /// <summary><c>*,DOMAIN\user,authenticated</c>: the session's client logged in as the account in the data column.</summary>
    Authenticated,

    /// <summary>Protocol <c>+</c>: a session opens; its client is the remote endpoint.</summary>
    Connect,

    /// <summary>Protocol <c>-</c>: the session ends.</summary>
    Disconnect,

    /// <summary>The client's <c>EHLO</c> or <c>HELO</c>, remembered for the session's events.</summary>
    Helo,

    /// <summary>The client's <c>MAIL FROM</c>.</summary>
    Sender,

    /// <summary>The client's <c>RCPT TO</c>: the recipient the next reply answers.</summary>
    Recipient,

    /// <summary>Any other command of the client: nothing kept, but the session was seen.</summary>
    Command,

    /// <summary>A 4xx or 5xx reply: a refused recipient when it answers a <c>RCPT TO</c>, else a refusal.</summary>
    Refusal,

    /// <summary>A reply whose wording names what happened (authentication failed, a limit, a protocol error): the kind's event.</summary>
    Signal,

    /// <summary>Tracking <c>RECEIVE</c>: a message taken in; its client is remembered by internal message id.</summary>
    Receive,

    /// <summary>Tracking <c>SEND</c>: delivered to the next hop.</summary>
    Send,

    /// <summary>Tracking <c>DELIVER</c>: delivered to a mailbox.</summary>
    Deliver,

    /// <summary>Tracking <c>FAIL</c>, <c>DEFER</c>, <c>DSN</c>: what else became of a message.</summary>
    Outcome,
}
