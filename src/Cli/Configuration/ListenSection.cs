namespace RelayWatch.Cli.Configuration;

/// <summary>The <c>listen</c> section of the configuration file: whom <c>relaywatch listen</c> hears, TLS, and its bounds.</summary>
internal sealed class ListenSection
{
    /// <summary>Addresses or networks whose syslog is accepted [default: loopback and <c>estate.relayAddresses</c>]; <c>--allow</c> overrides.</summary>
    public IReadOnlyList<string>? AllowedSenders { get; set; }

    /// <summary>The TLS server certificate, PEM or PKCS#12 [default: none]; <c>--tls-cert</c> overrides.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The PEM key of the TLS certificate when it is in a file of its own; <c>--tls-key</c> overrides.</summary>
    public string? TlsKey { get; set; }

    /// <summary>CA certificates (PEM) that TLS senders' client certificates must chain to; <c>--tls-client-ca</c> overrides.</summary>
    public string? TlsClientCa { get; set; }

    /// <summary>Most TCP and TLS connections at once [default: 256].</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Seconds a connection may go without completing a message [default: 120].</summary>
    public int? IdleTimeoutSeconds { get; set; }

    /// <summary>Most memory queued messages may hold, in MiB [default: 64].</summary>
    public int? QueueMegabytes { get; set; }
}
