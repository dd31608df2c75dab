using System.Buffers.Binary;
using System.IO.Compression;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Gzip decompression that notices a file cut short. .NET's GZipStream ends quietly when the
/// compressed data stops mid-stream; this wrapper compares the bytes it produced with the size the
/// gzip trailer records (ISIZE, the last four bytes of the file) and throws
/// <see cref="InvalidDataException"/> when they differ.
/// </summary>
internal sealed class CheckedGzipStream(Stream file) : Stream
{
    private readonly GZipStream gzip = new(file, CompressionMode.Decompress);
    private readonly uint recordedSize = ReadTrailerSize(file);
    private long produced;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = gzip.Read(buffer);
        produced += read;
        if (read == 0 && buffer.Length > 0 && (uint)produced != recordedSize)
        {
            throw new InvalidDataException("the gzip data ends before its trailer");
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    private static uint ReadTrailerSize(Stream file)
    {
        if (file.Length < 18)
        {
            return uint.MaxValue;
        }

        Span<byte> trailer = stackalloc byte[4];
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(trailer);
        file.Seek(0, SeekOrigin.Begin);
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }
}
