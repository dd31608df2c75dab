namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>How <see cref="SendmailParser"/> reads a line once its <see cref="SendmailKind"/> matched.</summary>
internal enum SendmailReading
{
    /// <summary>Known, and carries nothing RelayWatch stores.</summary>
    Skipped,

    /// <summary><c>from=…, relay=…</c>: the message accepted, and the client of its process.</summary>
    Envelope,

    /// <summary><c>to=…, stat=…</c>: a delivery, deferral or bounce.</summary>
    Delivery,

    /// <summary><c>ruleset=check_*, …, reject=…</c>: a refusal by a ruleset.</summary>
    Ruleset,

    /// <summary><c>Milter: to=…, reject=…</c>: a refusal by a milter.</summary>
    Milter,

    /// <summary><c>&lt;rcpt&gt;... reason</c>: a recipient refused before the line that names the client.</summary>
    RecipientError,

    /// <summary><c>AUTH=server, relay=…</c>, <c>STARTTLS=server, relay=…</c>: they name the process's client and record nothing.</summary>
    ClientNote,

    /// <summary><c>AUTH failure (MECH): …, user=…, relay=…</c>.</summary>
    AuthFailure,

    /// <summary><c>dsnqid: DSN: reason</c>: Sendmail sent a notification.</summary>
    Dsn,

    /// <summary>A line about the connection that names its client in its text (<c>{client}</c>).</summary>
    ClientLine,
}
