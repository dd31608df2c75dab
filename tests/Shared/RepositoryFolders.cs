namespace RelayWatch.Tests.Shared;

/// <summary>
/// Folders the tests read, found by walking up from the test binaries: the repository's own
/// data/samples, and ../shared/corpora beside the repository (on every developer and CI machine).
/// Linked into each test project that needs it. A missing folder fails the test with a clear
/// message rather than letting it pass without having looked.
/// </summary>
internal static class RepositoryFolders
{
    public static string Corpora { get; } = Find(Path.Combine("shared", "corpora"), "the real log lines these tests read");

    public static string Samples { get; } = Find(Path.Combine("data", "samples"), "the sample logs these tests read");

    /// <summary>The repository's root: the folder that holds data/samples.</summary>
    public static string Root { get; } = Path.GetDirectoryName(Path.GetDirectoryName(Samples))!;

    public static string Find(string relative, string whatFor)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relative} was not found above the test binaries; it holds {whatFor}.");
    }
}
