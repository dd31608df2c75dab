using RelayWatch.Cli.Tests.Support;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task ASimulatedDayIngestsWithoutAnUnrecognisedLine()
    {
        var simulated = await RelayWatchProcess.RunAsync("simulate", "--days", "1", "--start", "2026-11-20", "--scale", "0.02", "--out", directory.Combine("sim"));
        var ingested = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "ingest", Path.Combine(directory.Combine("sim"), "logs"));

        Assert.True(simulated.ExitCode == 0, simulated.Error);
        Assert.Contains($"Ingest it:  relaywatch ingest {Path.Combine(directory.Combine("sim"), "logs")}", simulated.Output, StringComparison.Ordinal);
        Assert.True(ingested.ExitCode == 0, ingested.Error);
        Assert.Matches(@"mx1/mail\.log +postfix +[\d,]+ +[\d,]+ +[\d,]+ +0 +0\n", ingested.Output);
    }

    [Theory]
    [InlineData("--days", "-2", "relaywatch: --days must be between 1 and 3660, not -2.\n")]
    [InlineData("--start", "28.11.2026", "relaywatch: --start 28.11.2026 is not a date in the form YYYY-MM-DD.\n")]
    public async Task BadOptionsExitTwoWithOneSentence(string option, string value, string error)
    {
        var result = await RelayWatchProcess.RunAsync("simulate", option, value, "--out", directory.Combine("bad"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Error);
        Assert.False(Directory.Exists(directory.Combine("bad")));
    }
}
