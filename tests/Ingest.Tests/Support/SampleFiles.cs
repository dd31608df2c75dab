using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Support;

/// <summary>The repository's data/samples folder.</summary>
internal static class SampleFiles
{
    public static string PathOf(string relative) => Path.Combine(RepositoryFolders.Samples, relative);
}
