namespace RelayWatch.Store.Embedded;

/// <summary>
/// Holds <c>relaywatch.lock</c> in the data directory for as long as the engine is open, so that a
/// second process cannot open the same files under a running engine. .NET takes an exclusive
/// flock for FileShare.None on Unix, which the kernel releases if the process dies.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "relaywatch.lock";

    /// <summary>Who holds the lock, for the message a second process prints (the locked file itself cannot be read).</summary>
    public const string HolderFileName = "relaywatch.pid";

    private readonly FileStream lockFile;

    private DataDirectoryLock(FileStream lockFile) => this.lockFile = lockFile;

    /// <summary>Creates the directory if needed and locks it, or says in one sentence why it cannot.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        try
        {
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"The data directory {dataDirectory} cannot be created ({e.Message.TrimEnd('.')}); choose another with --data or RELAYWATCH_DATA.", e);
        }

        var path = Path.Combine(dataDirectory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreUnavailableException($"The data directory {dataDirectory} is not writable; fix its permissions or choose another with --data or RELAYWATCH_DATA.", e);
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            var holder = ReadHolder(Path.Combine(dataDirectory, HolderFileName));
            throw new StoreUnavailableException($"The data directory {dataDirectory} is in use by another RelayWatch process{holder}; stop it or choose another directory with --data.", e);
        }
        catch (IOException e)
        {
            throw new StoreUnavailableException($"The data directory {dataDirectory} cannot be locked ({e.Message.TrimEnd('.')}); choose another with --data or RELAYWATCH_DATA.", e);
        }

        try
        {
            File.WriteAllText(Path.Combine(dataDirectory, HolderFileName), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new StoreUnavailableException($"The data directory {dataDirectory} is not writable ({e.Message.TrimEnd('.')}); fix its permissions or choose another with --data or RELAYWATCH_DATA.", e);
        }

        return new DataDirectoryLock(stream);
    }

    public void Dispose() => lockFile.Dispose();

    private static bool IsLockConflict(IOException e) =>
        e.HResult == 11 /* EAGAIN/EWOULDBLOCK */ || e.Message.Contains("being used by another process", StringComparison.Ordinal);

    private static string ReadHolder(string path)
    {
        try
        {
            var pid = File.ReadAllText(path).Trim();
            return string.IsNullOrEmpty(pid) ? string.Empty : $" (pid {pid})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
