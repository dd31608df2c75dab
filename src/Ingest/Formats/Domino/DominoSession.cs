namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>One SMTP connection to the listener while its lines come: its id, client, the sender of the message in progress and the user it logged in as.</summary>
internal sealed class DominoSession(string id, DominoClient client) : ICorrelationState
{
    public string Id { get; } = id;

    public DominoClient Client { get; } = client;

    /// <summary>The sender of the message in progress (<c>Originator:</c>, logged when the listener logs verbosely).</summary>
    public string MailFrom { get; set; } = string.Empty;

    public string SaslUser { get; set; } = string.Empty;

    public DateTimeOffset LastSeen { get; set; }
}
