using Microsoft.Win32.SafeHandles;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// A <c>libchdb.so</c> that passed its check, held open: the loader is given the open file
/// (<c>/proc/self/fd/N</c> on Linux), so a file swapped in at the path after the check is never the
/// one loaded. Dispose after loading; the loaded mapping does not need the handle.
/// </summary>
internal sealed class VerifiedLibrary(string path, SafeFileHandle handle) : IDisposable
{
    /// <summary>The path the library was found at, for messages.</summary>
    public string Path { get; } = path;

    /// <summary>What the loader opens.</summary>
    public string LoadPath => OperatingSystem.IsLinux() ? $"/proc/self/fd/{handle.DangerousGetHandle()}" : Path;

    public void Dispose() => handle.Dispose();
}
