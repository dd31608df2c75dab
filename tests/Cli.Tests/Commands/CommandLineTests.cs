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
        // The simulated sample's network context and DMARC reports: findings say who is behind an address, and the
        // forger seen from both sides is there.
        Assert.Contains("Network context: 32 networks from ", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"DMARC reports: 3 new \(0 already stored\), \d+ records", result.Output);
        Assert.Matches(@"; from AS64505 Residential Broadband Example, BR\n", result.Output);
        Assert.Contains("10. Our domains as others see them on ", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"the same address hit our relays that day \(\d+ events at mx\d", result.Output);
    }

    [Fact]
    public async Task DemoSimulatesAFreshDayWhenAskedAndRunsOnIt()
    {
        var output = directory.Combine("fresh");
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var result = await RelayWatchProcess.RunAsync("demo", "--out", output, "--simulate", "11", "--scale", "0.002");

        Assert.True(result.ExitCode == 0, result.Error);
        var folder = Path.Combine(output, $"simulated-{yesterday}-seed11-scale0.002");
        Assert.Contains($"Simulating {yesterday} with seed 11 at scale 0.002 (relaywatch simulate) into {Path.Combine(folder, "simulated")}.", result.Output, StringComparison.Ordinal);
        Assert.Contains($"2. Ingesting the sample logs in {folder}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"simulated with the sample's seed 11 and scale 0.002", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "reports", $"report-{yesterday}.html")), result.Output);
    }

    [Fact]
    public async Task DemoRefusesABadScaleBeforeStarting()
    {
        var output = directory.Combine("bad-scale");

        var result = await RelayWatchProcess.RunAsync("demo", "--out", output, "--simulate", "3", "--scale", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: --scale must be above 0 and at most 100, not 0.\n", result.Error);
        Assert.False(Directory.Exists(output));
    }
}
