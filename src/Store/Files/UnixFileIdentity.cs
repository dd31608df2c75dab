using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RelayWatch.Store.Files;

/// <summary>
/// Who a file on Linux is, read with <c>fstat</c> from an open handle (or <c>stat</c> from a path): device,
/// inode, size, owner, mode and both change times. Two readers use it: the engine library's check (the inode
/// change time cannot be set by a user, so a file replaced or rewritten after it was verified never has the
/// identity the verification recorded) and log rotation (<see cref="IsSameFileAs"/>: the same device and
/// inode, whatever the file's name, size or times are now).
/// </summary>
public readonly partial record struct UnixFileIdentity(ulong Device, ulong Inode, long Size, uint Owner, uint Mode, long ModifiedNanoseconds, long ChangedNanoseconds)
{
    // struct stat is at most 144 bytes on the layouts read below; the buffer leaves room for any other.
    private const int StatBytes = 256;

    /// <summary>Whether anyone but the owner may write the file (group or other write bits).</summary>
    public bool WritableByOthers => (Mode & 0b000_010_010) != 0;

    /// <summary>The user id this process runs as.</summary>
    public static uint CurrentUser => OperatingSystem.IsLinux() ? GetEuid() : uint.MaxValue;

    /// <summary>Whether both name one file: the same device and inode.</summary>
    public bool IsSameFileAs(UnixFileIdentity other) => Device == other.Device && Inode == other.Inode;

    /// <summary>
    /// The identity of the file behind <paramref name="handle"/>; null where the platform cannot say (not
    /// Linux on x86-64 or arm64, or a C library before glibc 2.33, which exports no <c>fstat</c>).
    /// </summary>
    /// <exception cref="IOException"><c>fstat</c> failed on the handle.</exception>
    public static UnixFileIdentity? Of(SafeFileHandle handle)
    {
        if (Layout() is not { } layout)
        {
            return null;
        }

        var stat = new byte[StatBytes];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FStat((int)handle.DangerousGetHandle(), stat) != 0)
            {
                throw new IOException($"fstat failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return Read(stat, layout);
    }

    /// <summary>The identity of the file or folder <paramref name="path"/> names now (links followed); null where it names none or the platform cannot say.</summary>
    public static UnixFileIdentity? OfPath(string path)
    {
        if (Layout() is not { } layout)
        {
            return null;
        }

        var stat = new byte[StatBytes];
        try
        {
            return StatPath(path, stat) == 0 ? Read(stat, layout) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A one-line form for a verification stamp.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Device} {Inode} {Size} {Owner} {Mode} {ModifiedNanoseconds} {ChangedNanoseconds}");

    /// <summary>
    /// Where <c>st_mode</c> and <c>st_uid</c> sit in <c>struct stat</c>. Device, inode, size and the time
    /// fields sit at the same offsets in x86-64's layout and in the generic one arm64 uses; only the mode,
    /// link count and owner are ordered differently.
    /// </summary>
    private readonly record struct StatLayout(int ModeOffset, int OwnerOffset);

    private static StatLayout? Layout() =>
        !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => new StatLayout(ModeOffset: 24, OwnerOffset: 28),
            Architecture.Arm64 => new StatLayout(ModeOffset: 16, OwnerOffset: 24),
            _ => null,
        };

    private static UnixFileIdentity Read(ReadOnlySpan<byte> stat, StatLayout layout)
    {
        return new UnixFileIdentity(
            Device: (ulong)At(stat, 0),
            Inode: (ulong)At(stat, 8),
            Size: At(stat, 48),
            Owner: BinaryPrimitives.ReadUInt32LittleEndian(stat[layout.OwnerOffset..]),
            Mode: BinaryPrimitives.ReadUInt32LittleEndian(stat[layout.ModeOffset..]),
            ModifiedNanoseconds: (At(stat, 88) * 1_000_000_000) + At(stat, 96),
            ChangedNanoseconds: (At(stat, 104) * 1_000_000_000) + At(stat, 112));

        static long At(ReadOnlySpan<byte> stat, int offset) => BinaryPrimitives.ReadInt64LittleEndian(stat[offset..]);
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need a fixed struct per layout; one call per file opened.
    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int FStat(int descriptor, [Out] byte[] stat);

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int StatPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] stat);
#pragma warning restore SYSLIB1054

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
