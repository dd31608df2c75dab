using System.Globalization;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>A memory stream that refuses to grow past a limit: decompressed or decoded input stops there, whatever its headers claimed.</summary>
internal sealed class BoundedWriteStream(long limit, string what = "decoded attachment") : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(count);
        base.Write(buffer, offset, count);
    }

    // MemoryStream sends a derived type's span writes to Stream.Write(span), which comes back to Write(byte[], …):
    // the array overload above does the work, and this one must not call base.
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var copy = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(copy);
            Write(copy, 0, buffer.Length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Check(count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void WriteByte(byte value)
    {
        Check(1);
        base.WriteByte(value);
    }

    private void Check(int count)
    {
        if (Position + count > limit)
        {
            throw new DmarcRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"its {what} expands past the limit of {limit:N0} bytes (a compression bomb, or not a report)"));
        }
    }
}
