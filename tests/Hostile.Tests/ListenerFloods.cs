using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Hostile.Tests.Support;
using RelayWatch.Ingest.Sources;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A sender that floods, stalls, lies about its frame lengths or exhausts the process must not exhaust
/// the listener's memory, starve the other senders, stop it accepting, or slip a message of its own
/// choosing into the stream by cutting another at the right place. Every sender here is real traffic
/// on loopback; the only seam is the accept call, made to fail as an exhausted process's would.
/// </summary>
public sealed class ListenerFloods
{
    private const string Next = "<22>Nov 24 10:00:02 mx1 postfix/smtpd[2203]: disconnect from mail.partner.example[192.0.2.10]";

    /// <summary>What an attacker would like delivered: a refusal naming a victim.</summary>
    private const string Smuggled = "<22>Nov 24 10:00:00 mx1 postfix/smtpd[2201]: NOQUEUE: reject: RCPT from victim.example[198.51.100.7]: 554 5.7.1 <a@x.example>: Relay access denied; from=<x@bad.example> to=<a@x.example> proto=ESMTP helo=<bad.example>";

    [Fact]
    public async Task AFloodOfLargeDatagramsFillsTheQueueOnlyUpToItsBytes()
    {
        const long Bound = 1 << 20;
        await using var listener = ListenerProbe.Start(o => (o.Udp, o.MaxQueuedBytes) = (ListenerProbe.Any, Bound));
        var large = "<22>" + new string('x', 60_000);

        // Nobody reads: 200 datagrams of 60 KB would queue 24 MB of text; the kernel may drop some itself.
        for (var i = 0; i < 200 && listener.Drops[ListenerDropReason.QueueFull] == 0; i++)
        {
            await ListenerProbe.SendUdpAsync(listener.UdpEndpoint!, large);
            await Task.Yield();
        }

        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.Drops[ListenerDropReason.QueueFull] > 0));
        Assert.InRange(listener.Messages.QueuedBytes, 1, Bound);
    }

    [Fact]
    public async Task ATcpSenderWaitsForRoomRatherThanLosingMessages()
    {
        const long Bound = 1 << 20;
        await using var listener = ListenerProbe.Start(o => (o.Tcp, o.MaxQueuedBytes) = (ListenerProbe.Any, Bound));
        var messages = Enumerable.Range(0, 60).Select(i => $"<22>{i:D3} " + new string('y', 30_000)).ToList();
        using var sender = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        var sending = Task.Run(async () =>
        {
            foreach (var message in messages)
            {
                await sender.SendAsync(Encoding.UTF8.GetBytes(message + "\n"));
            }
        });

        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.Messages.QueuedBytes > Bound / 2));
        var received = new List<string>();
        long mostQueued = 0;
        while (received.Count < messages.Count)
        {
            mostQueued = Math.Max(mostQueued, listener.Messages.QueuedBytes);
            received.Add(await ListenerProbe.NextAsync(listener));
        }

        await sending;
        Assert.Equal(messages, received);
        Assert.InRange(mostQueued, 1, Bound);
        Assert.Equal(0, listener.Drops.Total);
    }

    [Fact]
    public async Task ConnectionsBeyondTheCapAreClosedAndCounted()
    {
        await using var listener = ListenerProbe.Start(o => (o.Tcp, o.MaxConnections) = (ListenerProbe.Any, 2));
        using var first = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        using var second = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 2));

        using (var third = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!))
        {
            Assert.True(await ListenerProbe.ClosedByListenerAsync(third));
        }

        first.Close();
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 1));
        using var fourth = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        await fourth.SendAsync(Encoding.UTF8.GetBytes(Next + "\n"));

        Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
        Assert.Equal(1, listener.Drops[ListenerDropReason.TooManyConnections]);
    }

    [Fact]
    public async Task ASenderThatTricklesAMessageThatNeverEndsIsClosedAtTheIdleTimeout()
    {
        var clock = new FakeTimeProvider();
        var idle = TimeSpan.FromSeconds(30);
        await using var listener = ListenerProbe.Start(o => (o.Tcp, o.IdleTimeout, o.Time) = (ListenerProbe.Any, idle, clock));
        using var slow = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        using var steady = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 2));

        // Both send within every idle period; only the steady one ever completes a message.
        for (var i = 0; i < 4; i++)
        {
            try
            {
                await slow.SendAsync("<22>Nov 24 "u8.ToArray());
            }
            catch (SocketException)
            {
                // Already closed by the listener: what this test expects, sooner or later.
            }

            await steady.SendAsync(Encoding.UTF8.GetBytes(Next + "\n"));
            Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
            clock.Advance(idle / 2);
        }

        Assert.True(await ListenerProbe.ClosedByListenerAsync(slow));
        Assert.Equal(1, listener.Drops[ListenerDropReason.IdleTimeout]);
        // The sender sees the close while the listener disposes the connection; it counts it closed just after.
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 1));
    }

    [Fact]
    public async Task OnlyASenderThatOwesAMessageIsTimedOutNotARelayQuietBetweenMessages()
    {
        var clock = new FakeTimeProvider();
        var idle = TimeSpan.FromSeconds(30);
        await using var listener = ListenerProbe.Start(o => (o.Tcp, o.IdleTimeout, o.Time) = (ListenerProbe.Any, idle, clock));
        using var silent = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        using var stalls = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        using var quiet = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 3));

        // Two deliver a whole message; then one begins another and stops halfway, the other says nothing more.
        foreach (var sender in new[] { stalls, quiet })
        {
            await sender.SendAsync(Encoding.UTF8.GetBytes(Next + "\n"));
            Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
        }

        await stalls.SendAsync("<22>Nov 24 07:05:03 mx1 postfix/smtpd[1]: conn"u8.ToArray());
        // Time passes (many idle periods, in steps, since the listener may read the half message late).
        for (var step = 0; step < 40 && listener.Drops[ListenerDropReason.IdleTimeout] < 2; step++)
        {
            clock.Advance(idle / 2);
            await Task.Delay(50);
        }

        Assert.True(await ListenerProbe.ClosedByListenerAsync(silent));
        Assert.True(await ListenerProbe.ClosedByListenerAsync(stalls));
        Assert.Equal(2, listener.Drops[ListenerDropReason.IdleTimeout]);
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 1));

        await quiet.SendAsync(Encoding.UTF8.GetBytes(Next + "\n"));
        Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
    }

    [Fact]
    public async Task TheListenerKeepsAcceptingWhenTheProcessRunsOutOfFileDescriptors()
    {
        var failures = 3;
        await using var listener = ListenerProbe.Start(o =>
        {
            o.Tcp = ListenerProbe.Any;
            o.Accept = (socket, token) => Interlocked.Decrement(ref failures) >= 0
                ? ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets)) // EMFILE
                : socket.AcceptAsync(token);
        });

        using var sender = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        await sender.SendAsync(Encoding.UTF8.GetBytes(Next + "\n"));

        Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
        Assert.Equal(3, listener.Drops[ListenerDropReason.AcceptFailed]);
    }

    [Fact]
    public async Task AnOctetCountedFrameLongerThanTheLimitIsSkippedExactly()
    {
        await using var listener = ListenerProbe.Start(o => o.Tcp = ListenerProbe.Any);

        // The oversized frame is made of frames: read one byte off, its body would deliver them.
        var body = string.Concat(Enumerable.Repeat(Encoding.UTF8.GetString(ListenerProbe.Frame(Smuggled)), 600));
        var stream = ListenerProbe.Frame(Next).Concat(ListenerProbe.Frame(body)).Concat(ListenerProbe.Frame(Next)).ToArray();
        using var sender = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);
        var random = new Random(18);
        for (var sent = 0; sent < stream.Length;)
        {
            var chunk = Math.Min(random.Next(1, 9000), stream.Length - sent);
            await sender.SendAsync(stream.AsMemory(sent, chunk));
            sent += chunk;
        }

        sender.Shutdown(SocketShutdown.Send);
        Assert.True(body.Length > 64 * 1024);
        Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
        Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 0));
        Assert.False(listener.Messages.TryRead(out var extra), extra);
        Assert.Equal(1, listener.Drops[ListenerDropReason.FrameTooLong]);
    }

    [Fact]
    public async Task TheTailOfAnOverLongLineIsNotANewMessage()
    {
        await using var listener = ListenerProbe.Start(o => o.Tcp = ListenerProbe.Any);
        var head = "<22>Nov 24 10:00:01 mx1 postfix/smtpd[2202]: " + new string('z', 64 * 1024);
        using var sender = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!);

        await sender.SendAsync(Encoding.UTF8.GetBytes(head + Smuggled + "\n" + Next + "\n"));
        sender.Shutdown(SocketShutdown.Send);

        Assert.Equal(head[..(64 * 1024)], await ListenerProbe.NextAsync(listener));
        Assert.Equal(Next, await ListenerProbe.NextAsync(listener));
        Assert.True(await ListenerProbe.EventuallyAsync(() => listener.OpenConnections == 0));
        Assert.False(listener.Messages.TryRead(out var extra), extra);
        Assert.Equal(1, listener.Drops[ListenerDropReason.LineCut]);
    }
}
