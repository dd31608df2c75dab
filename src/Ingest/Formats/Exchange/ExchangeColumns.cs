namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// The columns a <c>#Fields:</c> header names (matched without regard to case, the first of a repeated name
/// winning), resolved once per header to the positions the parser reads, so a record's field is found by index.
/// </summary>
internal sealed class ExchangeColumns
{
    /// <summary>The SMTP protocol log's columns when a file has no header (Exchange 2013 and later).</summary>
    public static readonly string[] ProtocolDefault = ["date-time", "connector-id", "session-id", "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context"];

    private readonly Dictionary<string, int> index;

    public ExchangeColumns(IReadOnlyList<string> names)
    {
        index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Count; i++)
        {
            index.TryAdd(names[i], i);
        }

        DateTime = At("date-time");
        ConnectorId = At("connector-id");
        SessionId = At("session-id");
        RemoteEndpoint = At("remote-endpoint");
        Event = At("event");
        Data = At("data");
        EventId = At("event-id");
        ClientIp = At("client-ip");
        ClientHostname = At("client-hostname");
        ServerIp = At("server-ip");
        ServerHostname = At("server-hostname");
        InternalMessageId = At("internal-message-id");
        MessageId = At("message-id");
        RecipientAddress = At("recipient-address");
        RecipientStatus = At("recipient-status");
        TotalBytes = At("total-bytes");
        SenderAddress = At("sender-address");
        Reference = At("reference");
        Source = At("source");
        SourceContext = At("source-context");
        EventColumns = [.. ExchangeLineKinds.Protocol.Select(e => At(e.Column))];
    }

    public bool IsTracking => EventId >= 0;

    public bool IsProtocol => SessionId >= 0 && Event >= 0;

    public int DateTime { get; }

    public int ConnectorId { get; }

    public int SessionId { get; }

    public int RemoteEndpoint { get; }

    public int Event { get; }

    public int Data { get; }

    public int EventId { get; }

    public int ClientIp { get; }

    public int ClientHostname { get; }

    public int ServerIp { get; }

    public int ServerHostname { get; }

    public int InternalMessageId { get; }

    public int MessageId { get; }

    public int RecipientAddress { get; }

    public int RecipientStatus { get; }

    public int TotalBytes { get; }

    public int SenderAddress { get; }

    /// <summary>A <c>DSN</c> record's <c>reference</c>: the Message-ID of the message it reports on.</summary>
    public int Reference { get; }

    /// <summary>A tracking record's <c>source</c>: the transport component that logged it (<c>SMTP</c>, <c>STOREDRIVER</c>, <c>AGENT</c>, …).</summary>
    public int Source { get; }

    /// <summary>
    /// A tracking record's <c>source-context</c>: for the <c>SMTP</c> source, the protocol session's id first
    /// (<c>08D509854059E1CD;2017-11-30T09:13:25.745Z;0</c>), the same id as the protocol log's <c>session-id</c>.
    /// </summary>
    public int SourceContext { get; }

    /// <summary>For each of <see cref="ExchangeLineKinds.Protocol"/>'s events, the position of the column its kinds read.</summary>
    public int[] EventColumns { get; }

    /// <summary>The index in <see cref="ExchangeLineKinds.Protocol"/> of the event written <paramref name="marker"/>, -1 when none is.</summary>
    public static int ProtocolEvent(char marker)
    {
        var events = ExchangeLineKinds.Protocol;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Marker == marker)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The position of the named column, -1 when the header has none.</summary>
    public int At(string name) => index.TryGetValue(name, out var at) ? at : -1;
}
