namespace RelayWatch.Ingest.Tests.Support;

/// <summary>
/// The real-world log lines in ../shared/corpora (beside the repository on every developer and CI
/// machine). Tests that need them fail with a clear message when the folder is absent, rather than
/// passing without having looked.
/// </summary>
internal static class Corpora
{
    public static string Root { get; } = Locate();

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    public static IEnumerable<string> Lines(string relative) => File.ReadLines(PathOf(relative));

    private static string Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "shared", "corpora");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            "The corpora folder (../shared/corpora beside the repository) is missing; these tests read real log lines from it.");
    }
}
