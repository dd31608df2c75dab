namespace RelayWatch.Ingest.Formats;

/// <summary>
/// One SMTP connection as a parser keeps it while its lines come: an id for <c>session_id</c>, the
/// client's address and verified name, and the user it logged in as. Formats whose sessions carry
/// more (a HELO, a sender in progress) keep a session of their own.
/// </summary>
internal sealed class ClientSession(string id, string ip, string host) : ICorrelationState
{
    public string Id { get; } = id;

    public string Ip { get; } = ip;

    public string Host { get; } = host;

    public string SaslUser { get; set; } = string.Empty;

    public DateTimeOffset LastSeen { get; set; }
}
