using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Sources;

namespace RelayWatch.Hostile.Tests.Support;

/// <summary>A real syslog listener on loopback, and real senders talking to it, for the listener's hostile tests.</summary>
internal static class ListenerProbe
{
    /// <summary>
    /// The loopback address the probes send from, and by default the only sender a probe's listener hears.
    /// The listener takes an ephemeral port, and other test runs on the machine (a serve or listen child whose
    /// port was picked free and then taken) may connect to it by mistake; heard, such a stranger would count
    /// as one more idle or open connection in tests that count them exactly.
    /// </summary>
    public const string Sender = "127.0.0.9";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static SyslogListener Start(Action<SyslogListenerOptions> configure)
    {
        var options = new SyslogListenerOptions { AllowedSenders = [IPNetwork.Parse(Sender + "/32")] };
        configure(options);
        return SyslogListener.Start(options, NullLogger.Instance);
    }

    public static IPEndPoint Any => new(IPAddress.Loopback, 0);

    /// <summary>The next message the listener queued; fails the test when none comes within the patience.</summary>
    public static async Task<string> NextAsync(SyslogListener listener)
    {
        using var patience = new CancellationTokenSource(Patience);
        return await listener.Messages.ReadAsync(patience.Token);
    }

    /// <summary>Waits, within the patience, until the condition holds; returns whether it did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, patience.Token);
            }
            catch (OperationCanceledException)
            {
                return condition();
            }
        }

        return true;
    }

    /// <summary>A TCP connection to the listener from the given loopback address (the probes' own by default).</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint to, string from = Sender)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    public static async Task SendUdpAsync(IPEndPoint to, string text, string from = Sender)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.SendToAsync(Encoding.UTF8.GetBytes(text), to);
    }

    /// <summary>Whether the listener closed the connection: a read sees its end (or a reset) within the patience.</summary>
    public static async Task<bool> ClosedByListenerAsync(Socket socket)
    {
        var buffer = new byte[16];
        using var patience = new CancellationTokenSource(Patience);
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, patience.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>An octet-counted frame (RFC 6587): <c>LEN SP MSG</c>.</summary>
    public static byte[] Frame(string message) => Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(message)} {message}");
}
