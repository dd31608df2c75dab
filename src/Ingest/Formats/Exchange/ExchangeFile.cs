namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>What one Exchange log file's header lines and records have said that its later records need.</summary>
internal sealed class ExchangeFile(string messages)
{
    /// <summary>
    /// Where its messages' internal ids are unique: the folder it is in, as one server writes its tracking logs into
    /// a folder of their own, a new file each day or size step. A message received late in one file is delivered,
    /// bounced or deferred in the next; another server's counter repeats the ids.
    /// </summary>
    public string Messages { get; } = messages;

    /// <summary>The columns of its latest <c>#Fields:</c> header; null before one (a protocol log may have none).</summary>
    public ExchangeColumns? Columns { get; set; }

    /// <summary>Whether <c>#Log-type:</c> says it is a send protocol log: our own connections out.</summary>
    public bool Sending { get; set; }

    /// <summary>The server that writes it, as its tracking records name it (<c>RECEIVE</c>, <c>DELIVER</c>).</summary>
    public string? Server { get; set; }

    /// <summary>The relay its protocol records named last (the connector's server), kept to reuse its string.</summary>
    public string ConnectorRelay { get; set; } = string.Empty;
}
