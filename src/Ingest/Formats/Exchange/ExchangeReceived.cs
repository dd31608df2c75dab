namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// Where a message came from and who sent it, kept by its internal message id for its later tracking records
/// and by its Message-ID for the DSN that reports on it.
/// </summary>
internal sealed class ExchangeReceived(string ip, string host, string sender, string saslUser) : ICorrelationState
{
    public string Ip { get; } = ClientAddress.Canonical(ip) ?? string.Empty;

    public string Host { get; } = host;

    public string Sender { get; } = sender;

    /// <summary>The account its session authenticated as (see <see cref="ExchangeLogin"/>); empty when it did not, or when the protocol log was not read first.</summary>
    public string SaslUser { get; } = saslUser;

    public DateTimeOffset LastSeen { get; set; }
}
