using RelayWatch.Cli.Tests.Support;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary><c>train</c>, <c>score</c> and <c>label</c> as an analyst runs them, each in a process of its own.</summary>
public sealed class ModelCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task AModelTrainedInOneProcessScoresIdenticallyInEveryLaterOne()
    {
        var data = await SimulatedStoreAsync();

        var train = await RelayWatchProcess.RunAsync("--data", data, "train");
        var first = await RelayWatchProcess.RunAsync("--data", data, "score", "--top", "5");
        var stored = await ScoresAsync(data);
        var second = await RelayWatchProcess.RunAsync("--data", data, "score", "--top", "5");
        var status = await RelayWatchProcess.RunAsync("--data", data, "status");

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("Training on 2026-09-08 to 2026-10-07:", train.Output, StringComparison.Ordinal);
        Assert.Matches(@"Model gbt-\d{8}-\d{6} \(boosted trees, calibrated probabilities\)\.", train.Output);
        Assert.Matches(@"measured on the later days 2026-10-\d\d to 2026-10-07: ROC AUC [01]\.\d{3}", train.Output);
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Matches(@"Scored \d+ addresses on 2026-10-08 with gbt-", first.Output);
        Assert.Matches(@"\n1\.000  ", first.Output);
        Assert.Equal(first.Output, second.Output);
        Assert.Equal(stored, await ScoresAsync(data));
        Assert.Contains('\t', stored);
        Assert.Matches(@"\nmodel +gbt-\d{8}-\d{6} \(gradient_boosted_trees\), learnt from 2026-10-05 to 2026-10-0\d; held-out ROC AUC", status.Output);
    }

    [Fact]
    public async Task WithoutAModelScoreSaysWhatToRun()
    {
        var data = await SimulatedStoreAsync();

        var score = await RelayWatchProcess.RunAsync("--data", data, "score", "--day", "2026-10-08");

        Assert.Equal(1, score.ExitCode);
        Assert.Equal("relaywatch: No model has been trained on days before 2026-10-08; run relaywatch train --to 2026-10-07 first.\n", score.Error);
    }

    [Fact]
    public async Task AnAnalystsVerdictIsKeptWithItsAuthorAndCanBeWithdrawn()
    {
        var data = directory.Combine("data");

        var bad = await RelayWatchProcess.RunAsync("--data", data, "label", "203.0.113.7", "--bad", "--note", "harvested us twice");
        var good = await RelayWatchProcess.RunAsync("--data", data, "label", "192.0.2.0/24", "--good");
        var cleared = await RelayWatchProcess.RunAsync("--data", data, "label", "192.0.2.0/24", "--clear");
        var list = await RelayWatchProcess.RunAsync("--data", data, "label", "--list");

        Assert.True(bad.ExitCode == 0, bad.Error);
        Assert.Contains($"203.0.113.7 is labelled bad by {Environment.UserName}", bad.Output, StringComparison.Ordinal);
        Assert.Equal(0, good.ExitCode);
        Assert.Contains("Cleared the verdict on 192.0.2.0/24", cleared.Output, StringComparison.Ordinal);
        Assert.Matches(@"\nbad +203\.0\.113\.7 .*harvested us twice\n", list.Output);
        Assert.DoesNotContain("192.0.2.0/24", list.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "203.0.113.300", "--bad" }, "relaywatch: '203.0.113.300' is neither an IP address nor a network in CIDR notation (such as 192.0.2.0/24).\n")]
    [InlineData(new[] { "10.0.0.0/8", "--good" }, "relaywatch: 10.0.0.0/8 is wider than a /16; label a sender's address or its own network, not a region of the Internet.\n")]
    [InlineData(new[] { "203.0.113.7", "--bad", "--good" }, "relaywatch: Give an address or network and exactly one of --bad, --good or --clear (or --list).\n")]
    [InlineData(new[] { "203.0.113.7" }, "relaywatch: Give an address or network and exactly one of --bad, --good or --clear (or --list).\n")]
    public async Task ABadLabelIsRefusedInOneSentence(string[] arguments, string error)
    {
        var result = await RelayWatchProcess.RunAsync(["--data", directory.Combine("data"), "label", .. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Error);
    }

    /// <summary>Four simulated days (2026-10-05 to 10-08), ingested and detected.</summary>
    private async Task<string> SimulatedStoreAsync()
    {
        var data = directory.Combine("data");
        var simulation = directory.Combine("simulation");
        var simulate = await RelayWatchProcess.RunAsync("simulate", "--days", "4", "--start", "2026-10-05", "--seed", "606", "--scale", "0.01", "--out", simulation);
        Assert.True(simulate.ExitCode == 0, simulate.Error);
        var ingest = await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(simulation, "logs"));
        Assert.True(ingest.ExitCode == 0, ingest.Error);
        var detect = await RelayWatchProcess.RunAsync("--data", data, "detect", "--from", "2026-10-05", "--to", "2026-10-08");
        Assert.True(detect.ExitCode == 0, detect.Error);
        return data;
    }

    private static async Task<string> ScoresAsync(string data)
    {
        var query = await RelayWatchProcess.RunAsync("--data", data, "query", "SELECT ip, score, model, reasons FROM ip_scores ORDER BY ip, model", "--format", "tsv");
        Assert.True(query.ExitCode == 0, query.Error);
        return query.Output;
    }
}
