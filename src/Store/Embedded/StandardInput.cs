using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// The process's standard input, kept away from the embedded engine. chDB treats the host's file
/// descriptor 0 as external data for every INSERT (chdb-io/chdb-core#239): with piped input an
/// <c>INSERT … VALUES</c> fails, or worse, takes the piped bytes as rows. Before the engine starts,
/// the original input is moved to a private descriptor that RelayWatch reads through
/// <see cref="Open"/>, and descriptor 0 is pointed at /dev/null.
/// </summary>
public static partial class StandardInput
{
    private const int StandardInputDescriptor = 0;
    private const int ReadOnly = 0;

    private static readonly Lock Gate = new();
    private static SafeFileHandle? preserved;

    /// <summary>A stream over the process's original standard input, wherever descriptor 0 now points.</summary>
    public static Stream Open()
    {
        lock (Gate)
        {
            return preserved is null
                ? Console.OpenStandardInput()
                : new FileStream(new SafeFileHandle(Duplicate(preserved.DangerousGetHandle().ToInt32()), ownsHandle: true), FileAccess.Read, 1 << 16);
        }
    }

    /// <summary>Moves standard input out of the engine's reach; called once before the engine starts.</summary>
    internal static void DetachFromEngine()
    {
        lock (Gate)
        {
            if (preserved is not null || !OperatingSystem.IsLinux() || !Console.IsInputRedirected)
            {
                return;
            }

            var original = Duplicate(StandardInputDescriptor);
            var devNull = OpenPath("/dev/null", ReadOnly);
            if (devNull < 0 || Dup2(devNull, StandardInputDescriptor) < 0)
            {
                throw new StoreUnavailableException(
                    $"Standard input could not be moved out of the embedded engine's reach (errno {Marshal.GetLastPInvokeError()}); run without piped input or use --clickhouse with a server.");
            }

            Close(devNull);
            preserved = new SafeFileHandle(original, ownsHandle: true);
        }
    }

    private static nint Duplicate(int descriptor)
    {
        var copy = Dup(descriptor);
        if (copy < 0)
        {
            throw new IOException($"Standard input could not be duplicated (errno {Marshal.GetLastPInvokeError()}).");
        }

        return copy;
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int descriptor);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int descriptor, int target);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenPath(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
