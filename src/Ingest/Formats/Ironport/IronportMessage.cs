namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>A message AsyncOS is handling, by its MID: the connection it came in on, what its lines told, and its recipients.</summary>
internal sealed class IronportMessage : ICorrelationState
{
    public ClientSession? Session { get; set; }

    public MessageState State { get; } = new();

    /// <summary>The recipients accepted, by RID, for the deliveries that name them by number.</summary>
    public Dictionary<int, string> Recipients { get; } = [];

    public DateTimeOffset LastSeen { get; set; }
}
