namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Why the syslog listener dropped a message, a connection or part of a message. Each is counted
/// (<see cref="ListenerDrops"/>), logged, stored in <c>listener_drops</c> and shown by <c>relaywatch status</c>.
/// </summary>
public enum ListenerDropReason
{
    /// <summary>A datagram or connection from an address that is not an allowed sender.</summary>
    SenderNotAllowed,

    /// <summary>A UDP message that found the queue full (UDP cannot be told to wait; TCP senders are).</summary>
    QueueFull,

    /// <summary>An octet-counted frame declaring more than the message limit: skipped exactly.</summary>
    FrameTooLong,

    /// <summary>A message over the limit: its head was kept, the rest discarded.</summary>
    LineCut,

    /// <summary>A frame length that is not a number: the framing is lost and the connection closed.</summary>
    BadFrame,

    /// <summary>A counted frame cut off by the end of its connection.</summary>
    IncompleteFrame,

    /// <summary>A connection refused because the most allowed were already open.</summary>
    TooManyConnections,

    /// <summary>A connection closed because it completed no message for the idle timeout (a slow or stuck sender).</summary>
    IdleTimeout,

    /// <summary>A TLS connection whose handshake failed: not TLS, or no (or no trusted) client certificate.</summary>
    TlsRejected,

    /// <summary>A connection that could not be accepted (out of file descriptors, say); the listener goes on.</summary>
    AcceptFailed,
}
