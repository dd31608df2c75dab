using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Receives syslog over UDP (one message per datagram), TCP and TCP with TLS (RFC 6587 and 5425:
/// octet counting, <c>LEN SP MSG</c>, or newline-delimited, chosen per connection by its first byte)
/// and queues the messages. Only allowed senders are heard; everything else the listener refuses or
/// cuts is counted by reason (<see cref="Drops"/>). Bounds: the queue in messages and bytes (TCP
/// senders wait for room, UDP messages that find none are dropped, since UDP cannot be told to wait),
/// connections open at once, and an idle timeout for a sender that owes a message (its first, or the rest of one it began). Failing
/// accepts (an exhausted process) are counted and retried; the listener goes on.
/// </summary>
internal sealed class SyslogListener : IAsyncDisposable
{
    private const int UdpReceiveBufferBytes = 8 << 20;
    private const int ReadBufferBytes = 64 * 1024;
    private static readonly TimeSpan FirstAcceptBackOff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LastAcceptBackOff = TimeSpan.FromSeconds(1);

    private readonly SyslogListenerOptions options;
    private readonly ILogger logger;
    private readonly SyslogQueue queue;
    private readonly List<Task> loops = [];
    private readonly List<IDisposable> sockets = [];
    private readonly ConcurrentDictionary<Task, bool> connections = new();
    private readonly CancellationTokenSource stopping = new();
    private SslServerAuthenticationOptions? tls;
    private X509Certificate2Collection? clientAuthorities;
    private int open;
    private int disposed;

    private SyslogListener(SyslogListenerOptions options, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        queue = new SyslogQueue(options.MaxQueuedMessages, options.MaxQueuedBytes);
    }

    /// <summary>Messages as they arrive, one per line.</summary>
    public SyslogQueue Messages => queue;

    /// <summary>What was dropped, by reason.</summary>
    public ListenerDrops Drops { get; } = new();

    public IPEndPoint? UdpEndpoint { get; private set; }

    public IPEndPoint? TcpEndpoint { get; private set; }

    public IPEndPoint? TlsEndpoint { get; private set; }

    /// <summary>TCP and TLS connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref open);

    /// <summary>Binds the sockets (port 0 picks a free port) and starts receiving.</summary>
    /// <exception cref="ArgumentException">The options are not valid, or the TLS certificates cannot be used; the message says why.</exception>
    /// <exception cref="SocketException">An address cannot be bound (in use, not ours, no permission).</exception>
    public static SyslogListener Start(SyslogListenerOptions options, ILogger logger)
    {
        options.Validate();
        var listener = new SyslogListener(options, logger);
        try
        {
            if (options.Tls is not null)
            {
                listener.LoadCertificates();
            }

            if (options.Udp is not null)
            {
                var socket = new Socket(options.Udp.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                listener.sockets.Add(socket);
                socket.Bind(options.Udp);

                // Relays send in bursts; a large kernel buffer (capped by net.core.rmem_max) rides them out.
                socket.ReceiveBufferSize = UdpReceiveBufferBytes;
                listener.UdpEndpoint = (IPEndPoint)socket.LocalEndPoint!;
                listener.loops.Add(listener.ReceiveUdpAsync(socket));
            }

            if (options.Tcp is not null)
            {
                listener.TcpEndpoint = listener.Listen(options.Tcp, withTls: false);
            }

            if (options.Tls is not null)
            {
                listener.TlsEndpoint = listener.Listen(options.Tls, withTls: true);
            }
        }
        catch
        {
            listener.stopping.Cancel();
            listener.sockets.ForEach(s => s.Dispose());
            throw;
        }

        return listener;
    }

    /// <summary>Stops receiving; the messages already queued can still be read.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        sockets.ForEach(s => s.Dispose());
        try
        {
            await Task.WhenAll(loops.Concat(connections.Keys)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closing the sockets ends the loops.
        }

        stopping.Dispose();
    }

    private IPEndPoint Listen(IPEndPoint endpoint, bool withTls)
    {
        var server = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        sockets.Add(server);
        server.Bind(endpoint);
        server.Listen(512);
        loops.Add(AcceptAsync(server, withTls));
        return (IPEndPoint)server.LocalEndPoint!;
    }

    private async Task ReceiveUdpAsync(Socket socket)
    {
        var buffer = new byte[65_536];
        EndPoint anyone = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult datagram;
            try
            {
                datagram = await socket.ReceiveFromAsync(buffer, SocketFlags.None, anyone, stopping.Token).ConfigureAwait(false);
            }
            catch (SocketException e) when (!stopping.IsCancellationRequested)
            {
                // An ICMP error reported on the socket, or a datagram too large: the next one is still welcome.
                Log.ListenerReceiveFailed(logger, "udp", e.Message);
                continue;
            }

            if (!options.Allows(((IPEndPoint)datagram.RemoteEndPoint).Address))
            {
                Drops.Count(ListenerDropReason.SenderNotAllowed);
                continue;
            }

            var bytes = buffer.AsSpan(0, datagram.ReceivedBytes);
            if (bytes.Length > options.MaxMessageBytes)
            {
                Drops.Count(ListenerDropReason.LineCut);
                bytes = bytes[..options.MaxMessageBytes];
            }

            var text = SyslogText.Decode(bytes);
            if (text.Length > 0 && !queue.TryWrite(text))
            {
                Drops.Count(ListenerDropReason.QueueFull);
            }
        }
    }

    private async Task AcceptAsync(Socket server, bool withTls)
    {
        var backOff = FirstAcceptBackOff;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await options.Accept(server, stopping.Token).ConfigureAwait(false);
                backOff = FirstAcceptBackOff;
            }
            catch (Exception e) when (e is SocketException or IOException && !stopping.IsCancellationRequested)
            {
                // EMFILE and its kin: the connection waits in the backlog; try again once descriptors may be free.
                Drops.Count(ListenerDropReason.AcceptFailed);
                Log.ListenerAcceptFailed(logger, e.Message, backOff.TotalMilliseconds);
                await Task.Delay(backOff, options.Time, stopping.Token).ConfigureAwait(false);
                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, LastAcceptBackOff.Ticks));
                continue;
            }

            if (client.RemoteEndPoint is not IPEndPoint remote || !options.Allows(remote.Address))
            {
                Drops.Count(ListenerDropReason.SenderNotAllowed);
                client.Dispose();
                continue;
            }

            if (Interlocked.Increment(ref open) > options.MaxConnections)
            {
                Interlocked.Decrement(ref open);
                Drops.Count(ListenerDropReason.TooManyConnections);
                client.Dispose();
                continue;
            }

            var connection = ReceiveAsync(client, withTls);
            connections.TryAdd(connection, true);
            _ = connection.ContinueWith(done => connections.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Reads one connection's messages until it closes, goes idle, loses its framing, or the listener stops.</summary>
    private async Task ReceiveAsync(Socket client, bool withTls)
    {
        // The idle timeout runs while the sender owes us something: the TLS handshake, a first message, or the
        // rest of a message it began (a slow trickle of bytes, slowloris, keeps it no longer than silence
        // would). Between whole messages a relay may stay quiet as long as it likes: rsyslog and syslog-ng keep
        // their connection and learn that we closed it only when a write fails, after that message is gone.
        // TCP keep-alive finds a peer that went away meanwhile.
        using var idle = new CancellationTokenSource(options.IdleTimeout, options.Time);
        using var stop = stopping.Token.Register(idle.Cancel);
        KeepAlive(client);
        Stream stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            if (withTls)
            {
                var secured = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = secured;
                try
                {
                    await secured.AuthenticateAsServerAsync(tls!, idle.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !stopping.IsCancellationRequested)
                {
                    Drops.Count(ListenerDropReason.TlsRejected);
                    return;
                }
            }

            var framer = new SyslogFramer(options.MaxMessageBytes, Drops);
            var buffer = new byte[ReadBufferBytes];
            var completed = new List<string>();
            int read;
            var timing = true;
            var delivered = false;
            while ((read = await stream.ReadAsync(buffer, idle.Token).ConfigureAwait(false)) > 0)
            {
                framer.Push(buffer.AsSpan(0, read), completed);
                if (completed.Count > 0)
                {
                    // Not idle while it waits for room in the queue either.
                    (timing, delivered) = (false, true);
                    idle.CancelAfter(Timeout.InfiniteTimeSpan);
                    foreach (var message in completed)
                    {
                        await queue.WriteAsync(message, stopping.Token).ConfigureAwait(false);
                    }

                    completed.Clear();
                }

                if (framer.InsideMessage && !timing)
                {
                    // A message began: it has the idle timeout to arrive whole, however its bytes trickle in.
                    idle.CancelAfter(options.IdleTimeout);
                    timing = true;
                }
                else if (!framer.InsideMessage && delivered && timing)
                {
                    idle.CancelAfter(Timeout.InfiniteTimeSpan);
                    timing = false;
                }

                if (framer.Lost)
                {
                    return;
                }
            }

            framer.End(completed);
            foreach (var message in completed)
            {
                await queue.WriteAsync(message, stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            Drops.Count(ListenerDropReason.IdleTimeout);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The sender went away, or we are stopping.
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref open);
        }
    }

    /// <summary>Keep-alive probes after a minute of silence, so a relay that vanished without closing frees its connection in about two.</summary>
    private static void KeepAlive(Socket client)
    {
        try
        {
            client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 60);
            client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 6);
        }
        catch (SocketException)
        {
            // A platform without these options keeps the connection until the peer closes it.
        }
    }

    private void LoadCertificates()
    {
        X509Certificate2 certificate;
        var path = options.TlsCertificatePath!;
        try
        {
            certificate = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password: null)
                : X509Certificate2.CreateFromPemFile(path, options.TlsKeyPath);
            if (options.TlsClientCaPath is { } authorities)
            {
                clientAuthorities = [];
                clientAuthorities.ImportFromPemFile(authorities);
                if (clientAuthorities.Count == 0)
                {
                    throw new CryptographicException($"{authorities} holds no certificate");
                }
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"The TLS certificates cannot be used: {e.Message.TrimEnd('.')}.", e);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"The TLS certificate {path} comes without its private key; give it with --tls-key.");
        }

        tls = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null),
            ClientCertificateRequired = clientAuthorities is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, presented, _, _) => clientAuthorities is null || IssuedByClientAuthority(presented),
        };
    }

    /// <summary>Whether a client certificate chains to one of the configured authorities (and only those), for client authentication.</summary>
    private bool IssuedByClientAuthority(X509Certificate? presented)
    {
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(clientAuthorities!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // TLS client authentication
        return chain.Build(presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }
}
