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

    public UsersFile Current
    {
        get
        {
            var stamp = Stamp(path);
            lock (gate)
            {
                if (stamp != loadedStamp)
                {
                    try
                    {
                        current = UsersFile.Load(path);
                        loadedStamp = stamp;
                    }
                    catch (UsageException)
                    {
                        // A file caught half-edited by hand: keep what was in force until it is valid again.
                    }
                }

                return current;
            }
        }
    }

    private static DateTime Stamp(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
}
