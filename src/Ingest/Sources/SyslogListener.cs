using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Receives syslog messages over UDP (one message per datagram) and TCP (RFC 6587: octet counting,
/// <c>LEN SP MSG</c>, or newline-delimited, chosen per connection by its first byte) and queues
/// them as lines. TCP senders are slowed down when ingest falls behind; UDP messages that find the
/// queue full are counted as dropped, since UDP has no way to say "wait".
/// </summary>
internal sealed class SyslogListener : IAsyncDisposable
{
    private const int MaxMessageBytes = 64 * 1024;
    private const int UdpReceiveBufferBytes = 8 << 20;

    private readonly Channel<string> queue = Channel.CreateBounded<string>(new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait });
    private readonly List<Task> loops = [];
    private readonly List<IDisposable> sockets = [];
    private readonly CancellationTokenSource stopping = new();
    private long dropped;
    private int disposed;

    private SyslogListener()
    {
    }

    /// <summary>Messages as they arrive, one per line.</summary>
    public ChannelReader<string> Lines => queue.Reader;

    /// <summary>UDP messages lost because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    public IPEndPoint? UdpEndpoint { get; private set; }

    public IPEndPoint? TcpEndpoint { get; private set; }

    /// <summary>Binds the sockets (port 0 picks a free port) and starts receiving.</summary>
    /// <exception cref="SocketException">An address cannot be bound (in use, not ours, no permission).</exception>
    public static SyslogListener Start(IPEndPoint? udp, IPEndPoint? tcp)
    {
        var listener = new SyslogListener();
        try
        {
            if (udp is not null)
            {
                var socket = new UdpClient(udp);

                // Relays send in bursts; a large kernel buffer (capped by net.core.rmem_max) rides them out.
                socket.Client.ReceiveBufferSize = UdpReceiveBufferBytes;
                listener.sockets.Add(socket);
                listener.UdpEndpoint = (IPEndPoint)socket.Client.LocalEndPoint!;
                listener.loops.Add(listener.ReceiveUdpAsync(socket));
            }

            if (tcp is not null)
            {
                var server = new TcpListener(tcp);
                server.Start();
                listener.sockets.Add(server.Server);
                listener.TcpEndpoint = (IPEndPoint)server.LocalEndpoint;
                listener.loops.Add(listener.AcceptTcpAsync(server));
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

    /// <summary>Stops receiving; the lines already queued can still be read.</summary>
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
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closing the sockets ends the loops.
        }

        queue.Writer.TryComplete();
        stopping.Dispose();
    }

    private async Task ReceiveUdpAsync(UdpClient socket)
    {
        while (!stopping.IsCancellationRequested)
        {
            var datagram = await socket.ReceiveAsync(stopping.Token).ConfigureAwait(false);
            var text = Decode(datagram.Buffer).TrimEnd('\n', '\r', '\0');
            if (text.Length > 0 && !queue.Writer.TryWrite(text))
            {
                Interlocked.Increment(ref dropped);
            }
        }
    }

    private async Task AcceptTcpAsync(TcpListener server)
    {
        var connections = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            var client = await server.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
            connections.Add(ReceiveTcpAsync(client));
            connections.RemoveAll(c => c.IsCompleted);
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private async Task ReceiveTcpAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxMessageBytes + 16];
                var filled = 0;
                bool? octetCounting = null;
                try
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer.AsMemory(filled), stopping.Token).ConfigureAwait(false)) > 0)
                    {
                        filled += read;
                        octetCounting ??= char.IsAsciiDigit((char)buffer[0]);
                        var consumed = octetCounting.Value ? await TakeCountedAsync(buffer, filled).ConfigureAwait(false) : await TakeLinesAsync(buffer, filled).ConfigureAwait(false);
                        Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                        filled -= consumed;
                        if (filled == buffer.Length)
                        {
                            // A frame longer than any message we accept: keep what fits, drop the rest of it.
                            await QueueAsync(buffer.AsSpan(0, MaxMessageBytes).ToArray()).ConfigureAwait(false);
                            filled = 0;
                        }
                    }

                    if (filled > 0 && octetCounting == false)
                    {
                        await QueueAsync(buffer[..filled]).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
                {
                    // The sender went away, or we are stopping.
                }
            }
        }
    }

    /// <summary>Queues every complete <c>LEN SP MSG</c> frame; returns the bytes consumed.</summary>
    private async Task<int> TakeCountedAsync(byte[] buffer, int filled)
    {
        var position = 0;
        while (true)
        {
            var space = Array.IndexOf(buffer, (byte)' ', position, Math.Min(filled - position, 8));
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(buffer, position, space - position), out var length) || length < 0)
            {
                return space < 0 && filled - position < 8 ? position : filled; // incomplete header, or garbage: drop the rest
            }

            if (space + 1 + length > filled)
            {
                return position;
            }

            await QueueAsync(buffer[(space + 1)..(space + 1 + length)]).ConfigureAwait(false);
            position = space + 1 + length;
        }
    }

    /// <summary>Queues every complete newline-ended message; returns the bytes consumed.</summary>
    private async Task<int> TakeLinesAsync(byte[] buffer, int filled)
    {
        var position = 0;
        int newline;
        while ((newline = Array.IndexOf(buffer, (byte)'\n', position, filled - position)) >= 0)
        {
            await QueueAsync(buffer[position..newline]).ConfigureAwait(false);
            position = newline + 1;
        }

        return position;
    }

    private async Task QueueAsync(byte[] message)
    {
        var text = Decode(message).TrimEnd('\r', '\n', '\0');
        if (text.Length > 0)
        {
            await queue.Writer.WriteAsync(text, stopping.Token).ConfigureAwait(false);
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes).Replace('\0', '\uFFFD');
}
