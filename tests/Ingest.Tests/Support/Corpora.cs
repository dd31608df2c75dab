using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Support;

/// <summary>The real-world log lines in ../shared/corpora.</summary>
internal static class Corpora
{
    public static string Root => RepositoryFolders.Corpora;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static IEnumerable<string> Lines(string relative) => File.ReadLines(PathOf(relative));
}
