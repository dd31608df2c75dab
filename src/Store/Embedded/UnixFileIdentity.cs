using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// Who a file on Linux is, read from an open handle with <c>fstat</c>: device, inode, size, owner, mode
/// and both change times. The inode change time (ctime) cannot be set by a user, so a file replaced or
/// rewritten after it was verified never has the identity the verification recorded.
/// </summary>
internal readonly partial record struct UnixFileIdentity(ulong Device, ulong Inode, long Size, uint Owner, uint Mode, long ModifiedNanoseconds, long ChangedNanoseconds)
{
    /// <summary>Whether anyone but the owner may write the file (group or other write bits).</summary>
    public bool WritableByOthers => (Mode & 0b000_010_010) != 0;

    /// <summary>The identity of the file behind <paramref name="handle"/>; null where it cannot be read (not x86-64 Linux, an old C library).</summary>
    public static UnixFileIdentity? Of(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return null;
        }

        try
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            try
            {
                return FStat((int)handle.DangerousGetHandle(), out var stat) == 0 ? From(stat) : null;
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.33 exports only __fxstat; hashing every start is the safe fallback.
            return null;
        }
    }

    /// <summary>The identity of the file or folder at <paramref name="path"/> (links followed); null where it cannot be read.</summary>
    public static UnixFileIdentity? OfPath(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return null;
        }

        try
        {
            return StatPath(path, out var stat) == 0 ? From(stat) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The user id this process runs as.</summary>
    public static uint CurrentUser => OperatingSystem.IsLinux() ? GetEuid() : uint.MaxValue;

    /// <summary>A one-line form for a verification stamp.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Device} {Inode} {Size} {Owner} {Mode} {ModifiedNanoseconds} {ChangedNanoseconds}");

    private static UnixFileIdentity From(in Stat stat) => new(
        stat.Device, stat.Inode, stat.Size, stat.Owner, stat.Mode,
        (stat.ModifiedSeconds * 1_000_000_000) + stat.ModifiedNanoseconds,
        (stat.ChangedSeconds * 1_000_000_000) + stat.ChangedNanoseconds);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStat(int descriptor, out Stat stat);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatPath(string path, out Stat stat);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    /// <summary><c>struct stat</c> as x86-64 Linux lays it out (144 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Stat
    {
        public ulong Device;
        public ulong Inode;
        public ulong Links;
        public uint Mode;
        public uint Owner;
        public uint Group;
        public int Padding;
        public ulong SpecialDevice;
        public long Size;
        public long BlockSize;
        public long Blocks;
        public long AccessedSeconds;
        public long AccessedNanoseconds;
        public long ModifiedSeconds;
        public long ModifiedNanoseconds;
        public long ChangedSeconds;
        public long ChangedNanoseconds;
        public long Reserved0;
        public long Reserved1;
        public long Reserved2;
    }
}
