using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Configuration;

/// <summary>The ClickHouse password can live in a file, so it is never on a command line (visible in ps) nor printed.</summary>
public sealed class ServerCredentialsTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task AnUnreadablePasswordFileIsBadUsageInOneSentence()
    {
        var missing = Path.Combine(directory.Path, "missing.pass");

        var result = await RelayWatchProcess.RunAsync("--clickhouse", "Host=127.0.0.1;Port=1;Username=relaywatch", "--clickhouse-password-file", missing, "status");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"relaywatch: The ClickHouse password file {missing} could not be read (", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task ThePasswordFromAFileIsUsedAndNeverPrinted()
    {
        var file = Path.Combine(directory.Path, "ch.pass");
        await File.WriteAllTextAsync(file, "s3cret-from-file\n");
        var port = Loopback.FreePort();

        var result = await RelayWatchProcess.RunAsync("--clickhouse", $"Host=127.0.0.1;Port={port};Username=relaywatch", "--clickhouse-password-file", file, "status");

        // No server listens there: the run fails on the connection, after the password was read, and says nothing of it.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port} cannot be reached", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-from-file", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentedConfigurationFileLoads()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryFolders.Root, "docs", "configuration.md"));
        var start = page.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var example = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];
        var path = Path.Combine(directory.Path, "relaywatch.json");
        File.WriteAllText(path, example);

        var config = Cli.Configuration.ConfigFile.Load(path);

        Assert.Null(config.Store.ClickHouse);
        Assert.Equal("/var/lib/relaywatch", config.Store.DataDirectory);
    }
}
