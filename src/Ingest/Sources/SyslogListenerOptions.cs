using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Where the syslog listener listens, whom it accepts, and its bounds. Every endpoint is optional;
/// at least one is needed. Defaults are safe for a listener on this machine only.
/// </summary>
public sealed class SyslogListenerOptions
{
    /// <summary>Loopback, which is always this machine: the default of <see cref="AllowedSenders"/>.</summary>
    public static readonly IReadOnlyList<IPNetwork> Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    /// <summary>UDP, one message a datagram. Anyone can forge a UDP sender's address: prefer <see cref="Tls"/>.</summary>
    public IPEndPoint? Udp { get; set; }

    /// <summary>Plain TCP, octet-counted or newline-framed.</summary>
    public IPEndPoint? Tcp { get; set; }

    /// <summary>TCP with TLS (RFC 5425), the recommended transport; needs <see cref="TlsCertificatePath"/>.</summary>
    public IPEndPoint? Tls { get; set; }

    /// <summary>The server certificate: a PEM file (with its key, or the key in <see cref="TlsKeyPath"/>) or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) without a password.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertificatePath"/>, when it is not in the same file.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>When set, every TLS sender must present a client certificate issued by one of this PEM file's CA certificates.</summary>
    public string? TlsClientCaPath { get; set; }

    /// <summary>
    /// The addresses whose messages and connections are accepted [default: loopback only]; anything else
    /// is dropped and counted. A listener bound beyond loopback needs a sender beyond loopback here.
    /// </summary>
    public IReadOnlyList<IPNetwork> AllowedSenders { get; set; } = Loopback;

    /// <summary>The longest message kept [default: 64 KiB]; longer ones are cut or, when octet-counted, skipped.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Most messages queued for ingest [default: 100,000].</summary>
    public int MaxQueuedMessages { get; set; } = 100_000;

    /// <summary>Most memory the queued messages may hold [default: 64 MiB]; TCP senders wait, UDP messages are dropped.</summary>
    public long MaxQueuedBytes { get; set; } = 64L << 20;

    /// <summary>Most TCP and TLS connections open at once [default: 256]; more are closed at once.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>
    /// How long a connection may owe a message [default: 2 minutes]: its TLS handshake, its first message, or the
    /// rest of a message it began. Then it is closed. Between whole messages a relay may stay quiet for as long as it likes.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>The socket call that accepts a connection: a seam for tests that make it fail as an exhausted process would.</summary>
    internal Func<Socket, CancellationToken, ValueTask<Socket>> Accept { get; set; } = static (socket, token) => socket.AcceptAsync(token);

    /// <exception cref="ArgumentException">A setting is out of range, or the listener would take syslog from other machines without an allowed sender beyond loopback.</exception>
    public void Validate()
    {
        if (Udp is null && Tcp is null && Tls is null)
        {
            throw new ArgumentException("The listener needs a UDP, TCP or TLS endpoint to listen on.");
        }

        if (Tls is not null && TlsCertificatePath is null)
        {
            throw new ArgumentException("Listening with TLS needs the server certificate (--tls-cert).");
        }

        if (MaxMessageBytes is < 480 or > 16 << 20)
        {
            throw new ArgumentException($"The message limit must be between 480 bytes (RFC 5424's least) and 16 MiB, not {MaxMessageBytes}.");
        }

        if (MaxQueuedMessages < 1 || MaxQueuedBytes < MaxMessageBytes * 4L || MaxConnections < 1 || IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("The listener's bounds must be positive, with room for at least two of the longest messages in the queue.");
        }

        var beyondLoopback = new[] { Udp, Tcp, Tls }.OfType<IPEndPoint>().FirstOrDefault(e => !IPAddress.IsLoopback(e.Address));
        if (beyondLoopback is not null && AllowedSenders.All(IsLoopback))
        {
            throw new ArgumentException(
                $"Listening on {beyondLoopback} would take syslog from other machines, but no sender beyond loopback is allowed: name the relays' addresses with --allow (listen.allowedSenders) or estate.relayAddresses.");
        }
    }

    /// <summary>Whether a datagram or connection from <paramref name="address"/> is accepted.</summary>
    internal bool Allows(IPAddress address)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in AllowedSenders)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLoopback(IPNetwork network) =>
        IPAddress.IsLoopback(network.BaseAddress) && network.PrefixLength >= (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 8 : 128);
}
