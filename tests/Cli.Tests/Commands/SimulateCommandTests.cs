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

    [Fact]
    public async Task TheWorldIsChosenByNameAndRecordedAndAnUnknownOneIsBadUsage()
    {
        var harder = await RelayWatchProcess.RunAsync("simulate", "--world", "harder", "--days", "1", "--start", "2026-11-24", "--scale", "0.005", "--out", directory.Combine("harder"));
        var unknown = await RelayWatchProcess.RunAsync("simulate", "--world", "hard", "--out", directory.Combine("unknown"));

        Assert.True(harder.ExitCode == 0, harder.Error);
        var recorded = await File.ReadAllTextAsync(Path.Combine(directory.Combine("harder"), "simulation.json"));
        Assert.Contains("\"world\": \"harder\"", recorded, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"bouncer\"", await File.ReadAllTextAsync(Path.Combine(directory.Combine("harder"), "truth.jsonl")), StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("relaywatch: Argument 'hard' not recognized. Must be one of:", unknown.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory.Combine("unknown")));
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
