namespace RelayWatch.Store.Vocabulary;

/// <summary>The <c>smtp_events</c> table (docs/schema.md): its name and columns.</summary>
public static class SmtpEventsTable
{
    public const string Name = "smtp_events";

    /// <summary>Every column, in the order ingest writes them in a row (a test holds the list to the migrated table).</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "ts", "relay", "source", "event", "client_ip", "client_host", "helo", "mail_from", "rcpt_to", "smtp_code",
        "dsn", "reason", "queue_id", "session_id", "message_id", "size", "sasl_user", "detail", "next_hop", "orig_rcpt_to", "file", "line",
    ];
}
