using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary><c>relaywatch report</c> as an analyst runs it on the committed simulated day.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task TheReportOfTheLatestDayIsWrittenInEveryFormatAndSaysWhere()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"))).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "detect")).ExitCode);

        var folder = directory.Combine("reports");
        var report = await RelayWatchProcess.RunAsync("--data", data, "report", "--out", folder);

        Assert.True(report.ExitCode == 0, report.Error);
        Assert.StartsWith("Report for 2026-11-24: ", report.Output, StringComparison.Ordinal);
        Assert.Contains("  ! Critical: open relaying by 192.0.2.", report.Output, StringComparison.Ordinal);
        foreach (var file in new[] { "report-2026-11-24.html", "report-2026-11-24.md", "report-2026-11-24.json", Path.Combine("report-2026-11-24-charts", "hourly-messages.png") })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }

        Assert.Contains(Path.Combine(folder, "report-2026-11-24.html"), report.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(new[] { "--format", "pdf" }, "relaywatch: --format \"pdf\" must list one or more of html, md, json.\n")]
    [InlineData(new[] { "--mail-to", "not-an-address" }, "relaywatch: --mail-to \"not-an-address\" is not a mail address.\n")]
    [InlineData(new[] { "--day", "2026-13-01" }, "relaywatch: --day 2026-13-01 is not a date such as 2026-11-24.\n")]
    public async Task ABadOptionIsRefusedInOneSentence(string[] arguments, string error)
    {
        var result = await RelayWatchProcess.RunAsync(["--data", directory.Combine("data"), "report", .. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Error);
    }
}
