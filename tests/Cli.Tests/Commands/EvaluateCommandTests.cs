using System.Globalization;
using System.Text.RegularExpressions;
using RelayWatch.Cli.Tests.Support;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary><c>relaywatch evaluate</c> on a small simulation: the detectors, the model and the blocklist against the truth, with thresholds.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task MeasuresEverythingAgainstTheTruthAndFailsBelowAThreshold()
    {
        var simulation = directory.Combine("simulation");
        var simulate = await RelayWatchProcess.RunAsync("simulate", "--days", "4", "--start", "2026-10-05", "--seed", "808", "--scale", "0.01", "--out", simulation);
        Assert.True(simulate.ExitCode == 0, simulate.Error);

        var passing = await RelayWatchProcess.RunAsync("evaluate", simulation, "--min-precision", "0.9", "--min-recall", "0.9", "--min-auc", "0.95");
        var failing = await RelayWatchProcess.RunAsync("--data", directory.Combine("again"), "evaluate", simulation, "--min-model-recall", "1.01");

        Assert.True(passing.ExitCode == 0, passing.Error + passing.Output);
        Assert.Matches(@"\ndha +\d+ +\d+ +1\.000 +1\.000 +0\n", passing.Output);
        // The simulation's DMARC reports are loaded and the join's detectors measured: forgers, and our relays failing SPF/DKIM.
        Assert.Matches(@"DMARC reports: 12 new \(0 already stored\), \d+ records, [\d,]+ messages from ", passing.Output);
        Assert.Matches(@"\ndmarc_forgery +[1-9]\d* +[1-9]\d* +1\.000 +1\.000 +0\n", passing.Output);
        Assert.Matches(@"\noutbound_auth_failure +2 +2 +1\.000 +1\.000 +0\n", passing.Output);
        Assert.Contains("Training on 2026-10-05 to 2026-10-07:", passing.Output, StringComparison.Ordinal);
        Assert.Matches(@"IP scores of gbt-\S+ on 2026-10-08 to 2026-10-08 \(days it never learnt from\), against the truth:", passing.Output);
        Assert.Matches(@"\nall attackers +\d+ +[\d,]+ +[01]\.\d{3} ", passing.Output);
        Assert.Matches(@"best single rule on low-and-slow and botnets: [a-z_]+ \((higher|lower) is worse\), recall [01]\.\d{3}", passing.Output);
        Assert.Matches(@"Blocklist from 2026-10-08: \d+ published .*; legitimate senders listed: 0; ", passing.Output);
        Assert.Equal(1, failing.ExitCode);
        Assert.Matches(@"^relaywatch: The model's recall at 0\.1% false positives [01]\.\d{3} is below --min-model-recall 1\.01\.\n$", failing.Error);
    }

    [Fact]
    public async Task MeasuresOneVendorsLogsAloneAgainstWhatItsRelaysSaw()
    {
        var simulation = directory.Combine("simulation");
        var simulate = await RelayWatchProcess.RunAsync("simulate", "--world", "harder", "--days", "3", "--start", "2026-10-05", "--seed", "809", "--scale", "0.01", "--out", simulation);
        Assert.True(simulate.ExitCode == 0, simulate.Error);

        var exim = await RelayWatchProcess.RunAsync("--data", directory.Combine("exim"), "evaluate", simulation, "--vendor", "exim");
        var unknown = await RelayWatchProcess.RunAsync("--data", directory.Combine("lotus"), "evaluate", simulation, "--vendor", "lotus");

        Assert.True(exim.ExitCode == 0, exim.Error + exim.Output);
        var vendor = Assert.Single(Regex.Matches(exim.Output, @"Vendor exim alone: relays (\S+); ([\d,]+) client addresses; ([\d,]+) of ([\d,]+) truth records reached them\."));
        Assert.Equal("mx2", vendor.Groups[1].Value);
        Assert.True(int.Parse(vendor.Groups[3].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) < int.Parse(vendor.Groups[4].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.Matches(@"\ndha +\d+ +\d+ +[01]\.\d{3} +[01]\.\d{3} ", exim.Output);
        Assert.Contains("Labels of the training days (2026-10-05 to 2026-10-06) against the truth, per address-day:", exim.Output, StringComparison.Ordinal);
        Assert.Matches(@"finding-label table +innocent labelled bad \d+ of [\d,]+;", exim.Output);
        Assert.Equal(2, unknown.ExitCode);
    }
}
