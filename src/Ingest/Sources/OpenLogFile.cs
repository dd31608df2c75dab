using Microsoft.Win32.SafeHandles;
using RelayWatch.Store.Files;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// A log file opened once. Everything read of it — its fingerprint, its first lines, the warm-up
/// replay, the lines themselves — reads this handle, never the path again, so a rotation that gives
/// the path to another file in between cannot put one file's checkpoint on another's lines.
/// </summary>
internal sealed class OpenLogFile : IDisposable
{
    private readonly SafeFileHandle handle;

    private OpenLogFile(string path, SafeFileHandle handle, bool compressed, UnixFileIdentity? identity)
    {
        Path = path;
        this.handle = handle;
        Compressed = compressed;
        Identity = identity;
    }

    public string Path { get; }

    /// <summary>Gzip, recognised by its magic bytes, not its name.</summary>
    public bool Compressed { get; }

    /// <summary>Device and inode of the open file; null where the platform does not say.</summary>
    public UnixFileIdentity? Identity { get; }

    /// <summary>The open file's length now (not the path's).</summary>
    public long Length => RandomAccess.GetLength(handle);

    public DateTime LastWriteTimeUtc => File.GetLastWriteTimeUtc(handle);

    /// <exception cref="FileNotFoundException">The path names nothing (any more).</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not read it.</exception>
    public static OpenLogFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            var compressed = RandomAccess.Read(handle, magic, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            return new OpenLogFile(path, handle, compressed, UnixFileIdentity.Of(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A new reader of the file's content (decompressed) from its start, independent of every other reader.</summary>
    public Stream Read()
    {
        var stream = new HandleStream(handle);
        return Compressed ? new CheckedGzipStream(stream) : stream;
    }

    /// <summary>The fingerprint of the open file (see <see cref="LogFiles.FingerprintOf"/>).</summary>
    public LogFingerprint? Fingerprint()
    {
        using var stream = Read();
        return LogFiles.FingerprintOf(stream);
    }

    /// <summary>
    /// Whether the file still begins with the bytes its fingerprint was taken from: false once it was
    /// truncated in place (copytruncate), even if it has grown past where it was read since.
    /// </summary>
    public bool StillBegins(LogFingerprint fingerprint)
    {
        using var stream = Read();
        return LogFiles.FingerprintOf(stream, fingerprint.Bytes) is { } now && now.Key == fingerprint.Key;
    }

    public void Dispose() => handle.Dispose();
}
