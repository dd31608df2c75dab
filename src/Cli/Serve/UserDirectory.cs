namespace RelayWatch.Cli.Serve;

/// <summary>
/// The users file as serve sees it now: re-read when the file changes, so <c>relaywatch serve user add|remove</c>
/// and <c>serve token add</c> take effect without a restart (a removed user's session ends at their next request).
/// </summary>
internal sealed class UserDirectory(string path)
{
    private readonly Lock gate = new();
    private UsersFile current = UsersFile.Load(path);
    private DateTime loadedStamp = Stamp(path);

    public string Path => path;

    /// <summary>Raised (outside the lock) with the file each time a changed file was read again.</summary>
    public event Action<UsersFile>? Reloaded;

    public UsersFile Current
    {
        get
        {
            var stamp = Stamp(path);
            UsersFile? reloaded = null;
            lock (gate)
            {
                if (stamp != loadedStamp)
                {
                    try
                    {
                        current = reloaded = UsersFile.Load(path);
                        loadedStamp = stamp;
                    }
                    catch (UsageException)
                    {
                        // A file caught half-edited by hand: keep what was in force until it is valid again.
                    }
                }
            }

            if (reloaded is not null)
            {
                Reloaded?.Invoke(reloaded);
            }

            return reloaded ?? current;
        }
    }

    private static DateTime Stamp(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
}
