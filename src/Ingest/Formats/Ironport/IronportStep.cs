namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>What a kind of mail_logs line does to the connections, messages and deliveries AsyncOS correlates by id.</summary>
internal enum IronportStep
{
    /// <summary>Nothing: a note about scanning, policies or the system, recognised and skipped.</summary>
    Note,

    /// <summary><c>New SMTP ICID</c>: a connection opens; its client is remembered under the ICID.</summary>
    Connect,

    /// <summary><c>ICID … close</c> or <c>lost</c>: the connection's end, and the end of its ICID.</summary>
    ConnectionEnd,

    /// <summary><c>ICID … REJECT SG …</c>: the host access table's verdict; a refusal is an event, the rest notes.</summary>
    HostAccessVerdict,

    /// <summary>Something the appliance said of a connection that names its ICID (a limit, a protocol error): an event of its client.</summary>
    ConnectionSignal,

    /// <summary><c>SMTP Auth: (ICID …) succeeded</c>: the user is remembered for the connection's messages.</summary>
    AuthSucceeded,

    /// <summary><c>SMTP Auth: (ICID …) failed</c>: an authentication failure of the connection's client.</summary>
    AuthFailed,

    /// <summary><c>Start MID … ICID …</c>: a message begins in a connection.</summary>
    MessageStart,

    /// <summary><c>MID … From:</c>: the envelope sender.</summary>
    Sender,

    /// <summary><c>MID … RID … To:</c>: an accepted recipient, by its RID.</summary>
    Recipient,

    /// <summary><c>MID … To: … Rejected by …</c> and bounce verification: a refused recipient.</summary>
    RecipientRefused,

    /// <summary><c>MID … Message-ID …</c>.</summary>
    MessageId,

    /// <summary><c>MID … ready … bytes from …</c>: the message is accepted.</summary>
    Ready,

    /// <summary><c>MID … was generated for bounce of MID …</c>: the appliance bounced a message it had accepted.</summary>
    GeneratedBounce,

    /// <summary><c>New SMTP DCID</c>: a delivery connection, and where it goes.</summary>
    DeliveryConnection,

    /// <summary><c>Message done DCID … MID … to RID […]</c>: delivered.</summary>
    Delivered,

    /// <summary><c>Bounced:</c> or <c>Delayed:</c>: a recipient refused by the next hop, for good or for now.</summary>
    DeliveryFailed,

    /// <summary><c>Message finished MID</c>: the message's state can go.</summary>
    MessageFinished,
}
