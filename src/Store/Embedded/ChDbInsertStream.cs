namespace RelayWatch.Store.Embedded;

/// <summary>
/// A write-only stream over a chDB streaming INSERT: bytes are gathered into chunks of
/// <see cref="ChunkSize"/> and handed to <c>chdb_stream_append</c>, which copies them.
/// </summary>
internal sealed class ChDbInsertStream(ChDbApi api, nint insertStream) : Stream
{
    public const int ChunkSize = 4 << 20;

    private readonly byte[] chunk = new byte[ChunkSize];
    private int filled;

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
            if (filled == 0 && buffer.Length >= ChunkSize)
            {
                // A large write goes straight through without a copy.
                Append(buffer);
                return;
            }

            var take = Math.Min(buffer.Length, ChunkSize - filled);
            buffer[..take].CopyTo(chunk.AsSpan(filled));
            filled += take;
            buffer = buffer[take..];
            if (filled == ChunkSize)
            {
                Flush();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
        if (filled > 0)
        {
            Append(chunk.AsSpan(0, filled));
            filled = 0;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> data)
    {
        if (!api.Append(insertStream, data))
        {
            throw ClickHouseException.FromErrorText(api.InsertErrorOf(insertStream) ?? "The embedded engine refused the inserted data.");
        }
    }
}
