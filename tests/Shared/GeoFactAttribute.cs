namespace RelayWatch.Tests.Shared;

/// <summary>
/// A fact that reads MaxMind's test databases in ../shared/geo (see its README). Like
/// <see cref="CorpusFactAttribute"/>: skipped with a reason on a clone with no ../shared beside it, and run
/// (failing on the missing folder) where <c>RELAYWATCH_REQUIRE_CORPORA=1</c> says it must be there, as in CI.
/// </summary>
internal sealed class GeoFactAttribute : FactAttribute
{
    public const string Folder = "shared/geo";

    public GeoFactAttribute() =>
        Skip = TryFind() is not null || Environment.GetEnvironmentVariable("RELAYWATCH_REQUIRE_CORPORA") == "1"
            ? null
            : "reads MaxMind's test databases from ../shared/geo, which is not beside this clone (.ci/run requires it)";

    /// <summary>The folder of test databases; a clear failure when it is missing.</summary>
    public static string Path => TryFind() ?? throw new DirectoryNotFoundException($"{Folder} was not found above the test binaries; it holds MaxMind's test databases.");

    private static string? TryFind()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, Folder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
