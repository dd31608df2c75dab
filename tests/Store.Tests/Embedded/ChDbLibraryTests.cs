using System.Runtime.Versioning;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using RelayWatch.Store.Embedded;
using RelayWatch.Store.Files;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Embedded;

public sealed class ChDbLibraryTests : IDisposable
{
    private readonly TemporaryDirectory temporary = new();

    private string cache => temporary.Path;

    public void Dispose() => temporary.Dispose();

    [Fact]
    public async Task AnOverridePathThatDoesNotExistIsRefusedWithWhatToDo()
    {
        var library = Library(ChDbPackage.Pinned, cache);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync("/nonexistent/libchdb.so", trustOverride: false, CancellationToken.None));

        Assert.Equal(
            "RELAYWATCH_CHDB_LIB points at /nonexistent/libchdb.so, which does not exist; point it at a libchdb.so or unset it to fetch the pinned engine.",
            error.Message);
    }

    [Fact]
    public async Task ATarballFailingItsIntegrityHashIsNotInstalled()
    {
        var tarball = await WriteTarballAsync("not really a library"u8.ToArray());
        var library = Library(ChDbPackage.Pinned, cache);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.InstallFromTarballAsync(tarball, CancellationToken.None));

        Assert.StartsWith("The downloaded @chdb/lib-linux-x64-gnu@26.7.3-stable.1 failed its integrity check (expected sha512-XP97mMqnc5tZpKQyw…, got sha512-", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("so it was not installed; retry, or set RELAYWATCH_CHDB_LIB to a trusted libchdb.so.", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(library.CachedLibraryPath));
    }

    [Fact]
    public async Task ALibraryFailingItsSha256IsNotInstalledEvenFromAnIntactTarball()
    {
        var content = "a tampered library"u8.ToArray();
        var tarball = await WriteTarballAsync(content);
        var package = ChDbPackage.Pinned with { Integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(await File.ReadAllBytesAsync(tarball))) };
        var library = Library(package, cache);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.InstallFromTarballAsync(tarball, CancellationToken.None));

        Assert.Equal(
            $"The libchdb.so inside @chdb/lib-linux-x64-gnu@26.7.3-stable.1 has SHA-256 {Convert.ToHexStringLower(SHA256.HashData(content))}, not the pinned 36ad4e999882821ef13cf2d0f52c93f48e6ee1b4498b35a201c23ce4b8d15bf5, so it was not installed; set RELAYWATCH_CHDB_LIB to a trusted copy.",
            error.Message);
        Assert.False(File.Exists(library.CachedLibraryPath));
        Assert.Empty(Directory.GetFiles(library.PackageDirectory, "*.partial"));
    }

    [Fact]
    public async Task AVerifiedTarballIsInstalledIntoTheCache()
    {
        var content = "a library we trust"u8.ToArray();
        var tarball = await WriteTarballAsync(content);
        var package = ChDbPackage.Pinned with
        {
            Version = "0.0.0-test",
            Integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(await File.ReadAllBytesAsync(tarball))),
            LibrarySha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            LibrarySize = content.Length,
        };
        var library = Library(package, cache);

        await library.InstallFromTarballAsync(tarball, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(library.CachedLibraryPath));
        using var located = await library.LocateAsync(null, trustOverride: false, CancellationToken.None);
        Assert.Equal(library.CachedLibraryPath, located.Path);
        Assert.Equal(content, await File.ReadAllBytesAsync(located.LoadPath));
    }

    [Fact]
    public async Task ACachedLibraryOfTheRightSizeButOtherBytesIsNeverLoaded()
    {
        var (library, _) = await InstalledAsync("a library we trust"u8.ToArray());
        await File.WriteAllBytesAsync(library.CachedLibraryPath, "a library swapped in"u8.ToArray()[..18]);

        // The test package's version is not on the registry, so the refetch that must follow fails; what matters is that the swapped file was not handed out.
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync(null, trustOverride: false, CancellationToken.None));

        Assert.StartsWith("npm could not fetch", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(library.CachedLibraryPath));
    }

    [Fact]
    public async Task AVerificationStampDoesNotCoverALibraryRewrittenInPlaceAfterIt()
    {
        var content = "a library we trust"u8.ToArray();
        var (library, _) = await InstalledAsync(content);
        (await library.LocateAsync(null, trustOverride: false, CancellationToken.None)).Dispose();
        Assert.True(File.Exists(library.CachedLibraryPath + ".verified"));

        // Same size, same modification time: only the inode-change time (which nobody can set) tells.
        var modified = File.GetLastWriteTimeUtc(library.CachedLibraryPath);
        await using (var rewrite = new FileStream(library.CachedLibraryPath, FileMode.Open, FileAccess.Write))
        {
            await rewrite.WriteAsync("A"u8.ToArray());
        }

        File.SetLastWriteTimeUtc(library.CachedLibraryPath, modified);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync(null, trustOverride: false, CancellationToken.None));
        Assert.False(File.Exists(library.CachedLibraryPath));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task AStampForgedInAFolderOthersCanWriteIsNotBelieved()
    {
        var (library, package) = await InstalledAsync("a library we trust"u8.ToArray());
        await File.WriteAllBytesAsync(library.CachedLibraryPath, "a library swapped in"u8.ToArray()[..18]);
        using (var handle = File.OpenHandle(library.CachedLibraryPath))
        {
            await File.WriteAllTextAsync(library.CachedLibraryPath + ".verified", package.LibrarySha256 + " " + UnixFileIdentity.Of(handle));
        }

        File.SetUnixFileMode(library.PackageDirectory, (UnixFileMode)0b111_111_111);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync(null, trustOverride: false, CancellationToken.None));
        Assert.False(File.Exists(library.CachedLibraryPath));
    }

    [Fact]
    public async Task ALibraryNamedByTheEnvironmentMustHaveThePinnedHashUnlessTrusted()
    {
        var other = Path.Combine(temporary.Path, "my-own-build.so");
        await File.WriteAllTextAsync(other, "a build of our own");
        var library = Library(ChDbPackage.Pinned, cache);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync(other, trustOverride: false, CancellationToken.None));
        using var trusted = await library.LocateAsync(other, trustOverride: true, CancellationToken.None);

        Assert.Equal(
            $"RELAYWATCH_CHDB_LIB points at {other}, whose SHA-256 {Convert.ToHexStringLower(SHA256.HashData("a build of our own"u8))} is not the pinned @chdb/lib-linux-x64-gnu@26.7.3-stable.1's, so it was not loaded; point it at the pinned build, or pass --trust-library to load a build you vouch for.",
            error.Message);
        Assert.Equal(other, trusted.Path);
    }

    [Fact]
    public async Task AnInstallNeverWritesThroughALinkPlantedWhereThePartialFileGoes()
    {
        var content = "a library we trust"u8.ToArray();
        var tarball = await WriteTarballAsync(content);
        var library = Library(TestPackage(content, tarball), cache);
        Directory.CreateDirectory(library.PackageDirectory);
        var victim = Path.Combine(temporary.Path, "victim.txt");
        await File.WriteAllTextAsync(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(library.PackageDirectory, $"libchdb.so.{Environment.ProcessId}.partial"), victim);

        await library.InstallFromTarballAsync(tarball, CancellationToken.None);

        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
        Assert.Equal(content, await File.ReadAllBytesAsync(library.CachedLibraryPath));
    }

    [Fact]
    public async Task APackageVersionTheRegistryDoesNotHaveIsReportedAsUnfetchable()
    {
        var library = Library(ChDbPackage.Pinned with { Version = "0.0.0-does-not-exist" }, cache);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync(null, trustOverride: false, CancellationToken.None));

        Assert.StartsWith("npm could not fetch @chdb/lib-linux-x64-gnu@0.0.0-does-not-exist (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); check npm's registry access, or set RELAYWATCH_CHDB_LIB to a libchdb.so, or use --clickhouse with a server.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileThatIsNotALibraryIsRefusedWhenLoading()
    {
        Directory.CreateDirectory(cache);
        var bogus = Path.Combine(cache, "libchdb.so");
        await File.WriteAllTextAsync(bogus, "not an ELF file");

        var error = Assert.Throws<StoreUnavailableException>(() => ChDbApi.Load(bogus, bogus));

        Assert.StartsWith($"The chDB library at {bogus} could not be loaded (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); set RELAYWATCH_CHDB_LIB to a working libchdb.so or use --clickhouse with a server.", error.Message, StringComparison.Ordinal);
    }

    private async Task<(ChDbLibrary Library, ChDbPackage Package)> InstalledAsync(byte[] content)
    {
        var tarball = await WriteTarballAsync(content);
        var package = TestPackage(content, tarball);
        var library = Library(package, cache);
        await library.InstallFromTarballAsync(tarball, CancellationToken.None);
        return (library, package);
    }

    private static ChDbPackage TestPackage(byte[] content, string tarball) => ChDbPackage.Pinned with
    {
        Version = "0.0.0-test",
        Integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tarball))),
        LibrarySha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
        LibrarySize = content.Length,
    };

    private static ChDbLibrary Library(ChDbPackage package, string cacheDirectory) =>
        new(package, cacheDirectory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private async Task<string> WriteTarballAsync(byte[] libraryContent)
    {
        Directory.CreateDirectory(cache);
        var path = Path.Combine(cache, "package.tgz");
        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await using var tar = new TarWriter(gzip);
        var entry = new PaxTarEntry(TarEntryType.RegularFile, ChDbPackage.LibraryEntry) { DataStream = new MemoryStream(libraryContent) };
        await tar.WriteEntryAsync(entry);
        return path;
    }
}
