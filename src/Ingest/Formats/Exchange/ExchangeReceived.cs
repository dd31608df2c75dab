namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>Where a message came from, kept by its internal message id for its later tracking records.</summary>
internal sealed class ExchangeReceived(string ip, string host) : ICorrelationState
{
    public string Ip { get; } = ClientAddress.Canonical(ip) ?? string.Empty;

    public string Host { get; } = host;

    public DateTimeOffset LastSeen { get; set; }
}
