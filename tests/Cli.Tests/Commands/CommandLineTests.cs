using RelayWatch.Cli.Tests.Support;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class CommandLineTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("demo", "Run RelayWatch end to end")]
    [InlineData("status", "Show the engine, its version")]
    [InlineData("query", "Run SQL against the store")]
    public async Task EveryCommandHasHelp(string command, string description)
    {
        var result = await RelayWatchProcess.RunAsync(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(description, result.Output, StringComparison.Ordinal);
        Assert.Contains($"relaywatch {command}", result.Output, StringComparison.Ordinal);
        Assert.Contains("--data <DIR>", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRootHelpListsTheCommands()
    {
        var result = await RelayWatchProcess.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"\n  demo +Run RelayWatch end to end", result.Output);
        Assert.Matches(@"\n  status +Show the engine", result.Output);
        Assert.Matches(@"\n  query <SQL> +Run SQL", result.Output);
    }

    [Fact]
    public async Task AnUnknownCommandIsBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("relaywatch: Unrecognized command or argument 'frobnicate'.", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("Run 'relaywatch --help' for usage.\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoCreatesItsOwnStoreAndSaysWhereItIs()
    {
        var output = directory.Combine("demo");

        var result = await RelayWatchProcess.RunAsync("demo", "--out", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"RelayWatch demo — embedded engine, data in {Path.Combine(output, "data")}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"at schema version {Store.Schema.SchemaMigrator.LatestVersion}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Outputs are under {output}.", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "data", "relaywatch.lock")));
    }
}
