using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using RelayWatch.Store.Embedded;
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

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync("/nonexistent/libchdb.so", CancellationToken.None));

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
        Assert.Equal(library.CachedLibraryPath, await library.LocateAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task APackageVersionTheRegistryDoesNotHaveIsReportedAsUnfetchable()
    {
        var library = Library(ChDbPackage.Pinned with { Version = "0.0.0-does-not-exist" }, cache);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => library.LocateAsync(null, CancellationToken.None));

        Assert.StartsWith("npm could not fetch @chdb/lib-linux-x64-gnu@0.0.0-does-not-exist (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); check npm's registry access, or set RELAYWATCH_CHDB_LIB to a libchdb.so, or use --clickhouse with a server.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileThatIsNotALibraryIsRefusedWhenLoading()
    {
        Directory.CreateDirectory(cache);
        var bogus = Path.Combine(cache, "libchdb.so");
        await File.WriteAllTextAsync(bogus, "not an ELF file");

        var error = Assert.Throws<StoreUnavailableException>(() => ChDbApi.Load(bogus));

        Assert.StartsWith($"The chDB library at {bogus} could not be loaded (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); set RELAYWATCH_CHDB_LIB to a working libchdb.so or use --clickhouse with a server.", error.Message, StringComparison.Ordinal);
    }

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
