namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>One SMTP receive session of the protocol log, by its session id: its client and what it has said so far.</summary>
internal sealed class ExchangeSession(string id, string ip) : ICorrelationState
{
    public string Id { get; } = id;

    public string Ip { get; } = ip;

    public string Helo { get; set; } = string.Empty;

    public string MailFrom { get; set; } = string.Empty;

    /// <summary>The recipient of the last <c>RCPT TO</c>, until a reply other than its refusal ends its turn.</summary>
    public string Recipient { get; set; } = string.Empty;

    /// <summary>The account the client authenticated as (<c>*,DOMAIN\user,authenticated</c>), empty before.</summary>
    public string SaslUser { get; set; } = string.Empty;

    public DateTimeOffset LastSeen { get; set; }
}
