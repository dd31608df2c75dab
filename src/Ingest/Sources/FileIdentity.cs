using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Which file an open handle is, as the file system knows it (device and inode, from <c>fstat</c>),
/// whatever name it has now. Two handles with the same identity read the same file; a path whose
/// identity differs from a followed handle's has been given to another file (rotated).
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    // struct stat begins with st_dev and st_ino, 64 bits each, on every 64-bit Linux ABI (x86-64's and the
    // generic one arm64 uses); the rest of it (at most 144 bytes) is not read.
    private const int StatBytes = 256;

    /// <summary>The identity of the open file; null where the platform has no <c>fstat</c> (Windows).</summary>
    /// <exception cref="IOException"><c>fstat</c> failed.</exception>
    public static FileIdentity? Of(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var stat = new byte[StatBytes];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Fstat((int)handle.DangerousGetHandle(), stat) != 0)
            {
                throw new IOException($"fstat failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return new FileIdentity(BitConverter.ToUInt64(stat, 0), BitConverter.ToUInt64(stat, 8));
    }

    /// <summary>The identity of the file the path names now (following a symlink), or null when it names none.</summary>
    public static FileIdentity? OfPath(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Of(handle);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project for a byte buffer; one call per file opened.
    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int Fstat(int descriptor, [Out] byte[] stat);
#pragma warning restore SYSLIB1054
}
