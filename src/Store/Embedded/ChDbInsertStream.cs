using System.Buffers;
using System.Collections.Concurrent;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// A write-only stream over a chDB streaming INSERT. Bytes are gathered into chunks of
/// <see cref="ChunkSize"/>; a dedicated thread hands full chunks to <c>chdb_stream_append</c>,
/// which parses and inserts on the calling thread. Encoding rows (the writer's thread) and
/// inserting them (the engine's) therefore overlap instead of taking turns; a small bounded queue
/// between the two keeps memory flat when the engine is the slower side.
/// </summary>
internal sealed class ChDbInsertStream : Stream
{
    public const int ChunkSize = 4 << 20;
    private const int QueuedChunks = 3;

    private readonly ChDbApi api;
    private readonly nint insertStream;
    private readonly BlockingCollection<(byte[] Chunk, int Length)> queue = new(QueuedChunks);
    private readonly Task appender;
    private byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int filled;
    private Exception? appendFailure;

    public ChDbInsertStream(ChDbApi api, nint insertStream)
    {
        this.api = api;
        this.insertStream = insertStream;
        appender = Task.Factory.StartNew(AppendQueuedChunks, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, ChunkSize - filled);
            buffer[..take].CopyTo(chunk.AsSpan(filled));
            filled += take;
            buffer = buffer[take..];
            if (filled == ChunkSize)
            {
                Enqueue();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Blocks only while the queue is full, which is the back-pressure the engine needs.
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Queues what is buffered; the engine may not have it yet (see <see cref="CompleteAsync"/>).</summary>
    public override void Flush()
    {
        if (filled > 0)
        {
            Enqueue();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <summary>Hands every remaining byte to the engine and waits until it has taken them.</summary>
    public async Task CompleteAsync()
    {
        Flush();
        queue.CompleteAdding();
        await appender.ConfigureAwait(false);
        ThrowIfAppendFailed();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // On an error path: stop the appender (it drains and returns the queued chunks).
            if (!queue.IsAddingCompleted)
            {
                queue.CompleteAdding();
            }

            appender.GetAwaiter().GetResult();
            queue.Dispose();
            ArrayPool<byte>.Shared.Return(chunk);
        }

        base.Dispose(disposing);
    }

    private void Enqueue()
    {
        ThrowIfAppendFailed();
        try
        {
            queue.Add((chunk, filled));
        }
        catch (InvalidOperationException) when (appendFailure is not null)
        {
            ThrowIfAppendFailed();
        }

        chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        filled = 0;
    }

    private void AppendQueuedChunks()
    {
        foreach (var (data, length) in queue.GetConsumingEnumerable())
        {
            try
            {
                if (appendFailure is null && !api.Append(insertStream, data.AsSpan(0, length)))
                {
                    appendFailure = ClickHouseException.FromErrorText(api.InsertErrorOf(insertStream) ?? "The embedded engine refused the inserted data.");

                    // Unblock a writer waiting on a full queue; later chunks are only drained.
                    queue.CompleteAdding();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(data);
            }
        }
    }

    private void ThrowIfAppendFailed()
    {
        if (appendFailure is not null)
        {
            throw appendFailure;
        }
    }
}
