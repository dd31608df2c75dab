namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>A delivery connection, by its DCID: where it goes (<c>[10.20.0.5]:2222</c>).</summary>
internal sealed class IronportDelivery(string hop) : ICorrelationState
{
    public string Hop { get; } = hop;

    public DateTimeOffset LastSeen { get; set; }
}
