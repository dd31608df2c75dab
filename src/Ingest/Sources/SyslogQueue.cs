using System.Threading.Channels;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// The listener's queue of received messages, bounded both in messages and in bytes (the memory
/// their text holds): a count alone would let 100,000 messages of 64 KiB each take 12 GiB. A
/// writer that may wait (a TCP connection) waits for room; one that may not (a UDP datagram) is
/// told there is none. A message is always let in when the queue is empty, so one message larger
/// than the byte bound cannot block its sender for ever.
/// </summary>
internal sealed class SyslogQueue(int maxMessages, long maxBytes)
{
    private readonly Channel<string> messages = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock gate = new();
    private int count;
    private long bytes;
    private TaskCompletionSource roomMade = NewSignal();
    private bool writerWaits;

    /// <summary>The bytes the queued messages hold now.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (gate)
            {
                return bytes;
            }
        }
    }

    /// <summary>Queues the message if there is room; false when the queue is full.</summary>
    public bool TryWrite(string message) => TryWrite(message, out _);

    /// <summary>Queues the message, waiting while the queue is full.</summary>
    public async ValueTask WriteAsync(string message, CancellationToken cancellationToken)
    {
        while (!TryWrite(message, out var room))
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<string> ReadAsync(CancellationToken cancellationToken)
    {
        var message = await messages.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        Taken(message);
        return message;
    }

    public bool TryRead(out string message)
    {
        if (!messages.Reader.TryRead(out message!))
        {
            return false;
        }

        Taken(message);
        return true;
    }

    /// <summary>What one message costs the bound: its characters as held in memory, and the string's header.</summary>
    internal static long SizeOf(string message) => (message.Length * sizeof(char)) + 32;

    private bool TryWrite(string message, out Task room)
    {
        var size = SizeOf(message);
        lock (gate)
        {
            if (count > 0 && (count >= maxMessages || bytes + size > maxBytes))
            {
                writerWaits = true;
                room = roomMade.Task;
                return false;
            }

            count++;
            bytes += size;
            messages.Writer.TryWrite(message);
            room = Task.CompletedTask;
            return true;
        }
    }

    private void Taken(string message)
    {
        TaskCompletionSource? made = null;
        lock (gate)
        {
            count--;
            bytes -= SizeOf(message);
            if (writerWaits)
            {
                // Wake every waiting writer; each tries again, and those that still find no room wait on the next signal.
                (made, roomMade, writerWaits) = (roomMade, NewSignal(), false);
            }
        }

        made?.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
