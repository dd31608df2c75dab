namespace RelayWatch.Bench;

/// <summary>Folders the benchmarks read, found by walking up from the binaries: data/samples in the repository, ../shared/corpora beside it.</summary>
internal static class BenchFolders
{
    public static string Samples => Find(Path.Combine("data", "samples"), "the committed sample logs");

    public static string Corpora => Find(Path.Combine("shared", "corpora"), "the real logs beside the repository");

    private static string Find(string relative, string whatFor)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relative} ({whatFor}) was not found above the benchmark's binaries.");
    }
}
