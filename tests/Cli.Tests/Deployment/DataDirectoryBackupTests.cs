using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Deployment;

/// <summary>
/// The backup docs/operations.md gives for the embedded engine: stop RelayWatch, archive the data directory
/// with tar, and restore by unpacking it into an empty directory. The restored copy must answer as the
/// original did — the same events, checkpoints (so a second ingest adds nothing) and findings — though it
/// carries the lock and pid files of a process that has gone.
/// </summary>
public sealed class DataDirectoryBackupTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task ADataDirectoryArchivedWithTarAndUnpackedElsewhereAnswersAsTheOriginal()
    {
        var samples = Path.Combine(RepositoryFolders.Root, "data", "samples", "simulated", "logs");
        var original = directory.Combine("original");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", original, "ingest", samples)).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", original, "detect", "--day", "2026-11-24")).ExitCode);
        const string Holdings = "SELECT (SELECT count() FROM smtp_events), (SELECT sum(cityHash64(*)) FROM smtp_events), (SELECT count() FROM findings), (SELECT count() FROM ingest_checkpoints FINAL)";
        var before = await Query(original, Holdings);

        var archive = directory.Combine("relaywatch-backup.tar.gz");
        await Tar("-C", original, "-czf", archive, ".");
        var restored = Directory.CreateDirectory(directory.Combine("restored")).FullName;
        await Tar("-C", restored, "-xzf", archive);

        Assert.Equal(before, await Query(restored, Holdings));
        var again = await RelayWatchProcess.RunAsync("--data", restored, "ingest", samples);
        Assert.Contains("Read 0 new lines", again.Output, StringComparison.Ordinal);
        Assert.Equal(before, await Query(restored, Holdings));
        var counts = before.Trim().Split('\t');
        Assert.True(long.Parse(counts[0], System.Globalization.CultureInfo.InvariantCulture) > 0 && long.Parse(counts[2], System.Globalization.CultureInfo.InvariantCulture) > 0, before);
    }

    private static async Task<string> Query(string data, string sql)
    {
        var result = await RelayWatchProcess.RunAsync("--data", data, "query", sql);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }

    private static async Task Tar(params string[] arguments)
    {
        var (exitCode, _, error) = await DebianPackages.RunAsync(await DebianPackages.RequireAsync("tar", "tar"), arguments);
        Assert.True(exitCode == 0, $"tar {string.Join(' ', arguments)}: {error}");
    }
}
