namespace RelayWatch.Store.Embedded;

/// <summary>
/// The npm package that ships <c>libchdb.so</c>, pinned by version and by the hashes of both the
/// package tarball (npm's integrity string) and the library inside it.
/// </summary>
internal sealed record ChDbPackage(string Name, string Version, string Integrity, string LibrarySha256, long LibrarySize)
{
    /// <summary>chDB 26.7.3 (ClickHouse 26.7) for x86-64 Linux with glibc, as DESIGN.md pins it.</summary>
    public static ChDbPackage Pinned { get; } = new(
        Name: "@chdb/lib-linux-x64-gnu",
        Version: "26.7.3-stable.1",
        Integrity: "sha512-XP97mMqnc5tZpKQywR8N7cLTsHNiTmHr30pC5mzo3jWmukjKn2IBa60c2B/gWUNcuFjOMjWoorQICCqBVj5wpw==",
        LibrarySha256: "36ad4e999882821ef13cf2d0f52c93f48e6ee1b4498b35a201c23ce4b8d15bf5",
        LibrarySize: 566_330_096);

    public string Spec => $"{Name}@{Version}";

    /// <summary>Path of the library inside the package tarball.</summary>
    public const string LibraryEntry = "package/libchdb.so";
}
