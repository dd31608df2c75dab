namespace RelayWatch.Tests.Shared;

/// <summary>
/// Folders the tests read, found by walking up from the test binaries: the repository's own
/// data/samples, and ../shared/corpora beside the repository (on developer and CI machines; a user's
/// fresh clone has none). Linked into each test project that needs it. Each folder is looked up when
/// first asked for, so a test that never reads the corpora does not depend on them. A missing folder
/// fails the test that reads it with a clear message rather than letting it pass without having
/// looked; tests that read the corpora are marked <see cref="CorpusFactAttribute"/> and are skipped
/// with a reason where the corpora are absent and not required.
/// </summary>
internal static class RepositoryFolders
{
    private const string CorporaFolder = "shared/corpora";

    private static readonly Lazy<string> corpora = new(() => Find(CorporaFolder, "the real log lines these tests read"));
    private static readonly Lazy<string> samples = new(() => Find(Path.Combine("data", "samples"), "the sample logs these tests read"));

    public static string Corpora => corpora.Value;

    public static string Samples => samples.Value;

    /// <summary>The repository's root: the folder that holds data/samples.</summary>
    public static string Root => Path.GetDirectoryName(Path.GetDirectoryName(Samples))!;

    /// <summary>
    /// Why a corpus test is skipped here, or null when it runs: it runs where the corpora are found,
    /// and where <c>RELAYWATCH_REQUIRE_CORPORA=1</c> says they must be (then a missing folder fails it).
    /// </summary>
    public static string? CorporaSkipReason =>
        TryFind(CorporaFolder) is not null || Environment.GetEnvironmentVariable("RELAYWATCH_REQUIRE_CORPORA") == "1"
            ? null
            : "reads real logs from ../shared/corpora, which is not beside this clone (.ci/run requires it)";

    public static string Find(string relative, string whatFor) =>
        TryFind(relative) ?? throw new DirectoryNotFoundException($"{relative} was not found above the test binaries; it holds {whatFor}.");

    private static string? TryFind(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
