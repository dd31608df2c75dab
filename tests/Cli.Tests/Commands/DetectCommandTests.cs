using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class DetectCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task DetectPrintsEachDetectorsFindingsAndStatusShowsWhatIsOurs()
    {
        var data = directory.Combine("data");
        var ingest = await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"));
        Assert.True(ingest.ExitCode == 0, ingest.Error);

        var detect = await RelayWatchProcess.RunAsync("--data", data, "detect");
        var again = await RelayWatchProcess.RunAsync("--data", data, "detect", "--day", "2026-11-24");
        var status = await RelayWatchProcess.RunAsync("--data", data, "status");

        Assert.True(detect.ExitCode == 0, detect.Error);
        Assert.Contains("Ours: domains ours.example (inferred from inbound mail; set estate.protectedDomains to fix); mail servers 10.20.0.5; relays EDGE1, esa1, mx1, mx2, mx4", detect.Output, StringComparison.Ordinal);
        Assert.Matches(@"open_relay — 1 finding\(s\)\n  2026-11-24  critical  192\.0\.2\.\d+ +\d message\(s\) to foreign domains accepted and delivered by mx1", detect.Output);
        // The bots of the shared-dictionary harvest are one line, not one per bot.
        Assert.Matches(@"\n  2026-11-24  medium    (\d+) bots +\1 IP\(s\) in unrelated networks tried one shared dictionary \(e\.g\. ", detect.Output);
        Assert.Equal(Findings(detect.Output), Findings(again.Output));
        Assert.Contains("ours       domains ours.example (inferred", status.Output, StringComparison.Ordinal);
        // Detecting the day twice left one set of findings: what status counts is what detect reported.
        var reported = System.Text.RegularExpressions.Regex.Matches(detect.Output, @"^[a-z_]+ +(\d+) +[\d.]+$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(reported > 0);
        Assert.Matches($@"findings +{reported} rows", status.Output);
    }

    [Fact]
    public async Task AConfiguredDomainIsUsedInsteadOfTheInferredOne()
    {
        var data = directory.Combine("data");
        await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"));
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, """{ "estate": { "protectedDomains": ["ours.example"] }, "detectors": { "disabled": ["auth_bruteforce"] } }""");

        var detect = await RelayWatchProcess.RunAsync("--data", data, "--config", config, "detect");

        Assert.True(detect.ExitCode == 0, detect.Error);
        Assert.Contains("Ours: domains ours.example; mail servers", detect.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("auth_bruteforce", detect.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--day", "24.11.2026" }, "relaywatch: --day 24.11.2026 is not a date such as 2026-11-24.\n")]
    [InlineData(new[] { "--day", "2026-11-24", "--from", "2026-11-23" }, "relaywatch: Give either --day or --from/--to, not both.\n")]
    [InlineData(new[] { "--from", "2026-11-24", "--to", "2026-11-23" }, "relaywatch: --to is before --from.\n")]
    public async Task BadDaysAreBadUsage(string[] arguments, string error)
    {
        var result = await RelayWatchProcess.RunAsync(["--data", directory.Combine("data"), "detect", .. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public async Task AnEmptyStoreSaysToIngestFirst()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "detect");

        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith("relaywatch: The store has no events yet; ingest logs first (relaywatch ingest PATH).\n", result.Error, StringComparison.Ordinal);
    }

    private static string Findings(string output) => output[output.IndexOf("dha — ", StringComparison.Ordinal)..];
}
