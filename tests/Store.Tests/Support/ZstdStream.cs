using System.Runtime.InteropServices;

namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// Zstandard through Debian's own <c>libzstd.so.1</c> (package libzstd1), for the HTTP fixture: ClickHouse
/// answers <c>Accept-Encoding: zstd</c> with zstd, and ClickHouse.Driver asks for it first. Either a
/// compressing writer (<see cref="ForWriting"/>) or a decompressing reader (<see cref="ForReading"/>).
/// </summary>
internal sealed partial class ZstdStream : Stream
{
    private const string Library = "libzstd.so.1";
    private const int ChunkSize = 128 * 1024;

    private readonly Stream inner;
    private readonly bool compressing;
    private readonly nint context;
    private readonly byte[] chunk = new byte[ChunkSize];
    private readonly byte[] input = new byte[ChunkSize];
    private int inputStart;
    private int inputEnd;
    private bool innerEnded;
    private bool frameEnded;
    private bool disposed;

    private ZstdStream(Stream inner, bool compressing)
    {
        this.inner = inner;
        this.compressing = compressing;
        context = compressing ? ZSTD_createCCtx() : ZSTD_createDCtx();
        if (compressing)
        {
            Check(ZSTD_CCtx_setParameter(context, 100 /* ZSTD_c_compressionLevel */, 3));
        }
    }

    public override bool CanRead => !compressing;

    public override bool CanSeek => false;

    public override bool CanWrite => compressing;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public static ZstdStream ForWriting(Stream destination) => new(destination, compressing: true);

    public static ZstdStream ForReading(Stream source) => new(source, compressing: false);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var consumed = 0;
        while (consumed < buffer.Length)
        {
            var (read, produced, _) = Compress(buffer.Span[consumed..], endFrame: false);
            consumed += read;
            if (produced > 0)
            {
                await inner.WriteAsync(chunk.AsMemory(0, produced), cancellationToken);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (compressing)
        {
            await EndFrameAsync(cancellationToken);
        }

        await inner.FlushAsync(cancellationToken);
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (inputStart == inputEnd && !innerEnded)
            {
                inputStart = 0;
                inputEnd = await inner.ReadAsync(input, cancellationToken);
                innerEnded = inputEnd == 0;
            }

            var (read, produced, frameDone) = Decompress(buffer.Span);
            inputStart += read;
            frameEnded = frameDone || (frameEnded && read == 0);
            if (produced > 0)
            {
                return produced;
            }

            if (innerEnded && inputStart == inputEnd)
            {
                return frameEnded ? 0 : throw new InvalidDataException("The zstd body ended inside a frame.");
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            if (compressing)
            {
                await EndFrameAsync(CancellationToken.None);
            }

            Free();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposed)
        {
            if (disposing && compressing)
            {
                EndFrameAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            Free();
        }

        base.Dispose(disposing);
    }

    private async Task EndFrameAsync(CancellationToken cancellationToken)
    {
        if (frameEnded)
        {
            return;
        }

        nuint remaining;
        do
        {
            var (_, produced, left) = Compress([], endFrame: true);
            remaining = left;
            await inner.WriteAsync(chunk.AsMemory(0, produced), cancellationToken);
        }
        while (remaining != 0);

        frameEnded = true;
    }

    private unsafe (int Read, int Produced, nuint Remaining) Compress(ReadOnlySpan<byte> source, bool endFrame)
    {
        fixed (byte* src = source)
        fixed (byte* dst = chunk)
        {
            var inBuffer = new Buffer { Pointer = src, Size = (nuint)source.Length, Position = 0 };
            var outBuffer = new Buffer { Pointer = dst, Size = (nuint)chunk.Length, Position = 0 };
            var remaining = Check(ZSTD_compressStream2(context, &outBuffer, &inBuffer, endFrame ? 2 /* ZSTD_e_end */ : 0 /* ZSTD_e_continue */));
            return ((int)inBuffer.Position, (int)outBuffer.Position, remaining);
        }
    }

    private unsafe (int Read, int Produced, bool FrameDone) Decompress(Span<byte> destination)
    {
        fixed (byte* src = input)
        fixed (byte* dst = destination)
        {
            var inBuffer = new Buffer { Pointer = src + inputStart, Size = (nuint)(inputEnd - inputStart), Position = 0 };
            var outBuffer = new Buffer { Pointer = dst, Size = (nuint)destination.Length, Position = 0 };
            var hint = Check(ZSTD_decompressStream(context, &outBuffer, &inBuffer));
            return ((int)inBuffer.Position, (int)outBuffer.Position, hint == 0);
        }
    }

    private void Free()
    {
        disposed = true;
        if (compressing)
        {
            ZSTD_freeCCtx(context);
        }
        else
        {
            ZSTD_freeDCtx(context);
        }
    }

    private static nuint Check(nuint code) =>
        ZSTD_isError(code) != 0 ? throw new InvalidDataException($"zstd: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(code))}.") : code;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Buffer
    {
        public byte* Pointer;
        public nuint Size;
        public nuint Position;
    }

    [LibraryImport(Library)]
    private static partial nint ZSTD_createCCtx();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_freeCCtx(nint context);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_CCtx_setParameter(nint context, int parameter, int value);

    [LibraryImport(Library)]
    private static unsafe partial nuint ZSTD_compressStream2(nint context, Buffer* output, Buffer* input, int endDirective);

    [LibraryImport(Library)]
    private static partial nint ZSTD_createDCtx();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_freeDCtx(nint context);

    [LibraryImport(Library)]
    private static unsafe partial nuint ZSTD_decompressStream(nint context, Buffer* output, Buffer* input);

    [LibraryImport(Library)]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Library)]
    private static partial nint ZSTD_getErrorName(nuint code);
}
