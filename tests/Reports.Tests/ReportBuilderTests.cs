using System.Globalization;
using RelayWatch.Analysis.Detection;
using RelayWatch.Reports.Rendering;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests;

public sealed class ReportBuilderTests(SampleDayFixture sample) : IClassFixture<SampleDayFixture>
{
    private static readonly string GoldenFile = Path.Combine(RepositoryFolders.Root, "tests", "Reports.Tests", "Golden", "report-2026-11-24.json");

    /// <summary>
    /// The whole JSON report of the committed sample day, against the golden file. After a deliberate
    /// change, regenerate it with RELAYWATCH_UPDATE_GOLDEN=1 dotnet test tests/Reports.Tests and read the diff.
    /// </summary>
    [Fact]
    public async Task SampleDayReportMatchesTheGoldenJson()
    {
        // The sample's path is where this checkout lives; the golden file names the repository instead.
        var json = JsonRenderer.Render(sample.Report).Replace(RepositoryFolders.Root + "/", string.Empty, StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("RELAYWATCH_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(GoldenFile, json);
        }

        Assert.Equal(await File.ReadAllTextAsync(GoldenFile), json);
    }

    [Fact]
    public async Task TotalsAreTheStoreCountsOfTheDay()
    {
        // The relays' rows: Domino's repeat each message the relays hand it, and are not counted again.
        var counts = await sample.Store.QueryListAsync(
            $"SELECT countIf(event = 'message'), countIf(event = 'connect'), countIf(event IN ('rcpt_reject', 'reject')), countIf(event = 'message' AND NOT {Sql.AtEdge}) FROM smtp_events WHERE toDate(ts) = '2026-11-24'",
            null, CancellationToken.None);
        var hopped = long.Parse(counts[0][3], CultureInfo.InvariantCulture);
        Assert.True(hopped > 100, "the simulated day has Domino's side of the hand-offs");
        var edge = await sample.Store.QueryListAsync(
            $"SELECT countIf(event = 'message'), countIf(event = 'connect'), countIf(event IN ('rcpt_reject', 'reject')) FROM smtp_events WHERE toDate(ts) = '2026-11-24' AND {Sql.AtEdge}",
            null, CancellationToken.None);
        Assert.Equal(long.Parse(counts[0][0], CultureInfo.InvariantCulture) - hopped, long.Parse(edge[0][0], CultureInfo.InvariantCulture));
        counts = edge;
        var totals = sample.Report.Summary.Totals.ToDictionary(t => t.Name, t => t.Today);
        Assert.Equal(long.Parse(counts[0][0], CultureInfo.InvariantCulture), totals["messages_in"] + totals["messages_out"]);
        Assert.Equal(long.Parse(counts[0][1], CultureInfo.InvariantCulture), totals["sessions"]);
        Assert.Equal(long.Parse(counts[0][2], CultureInfo.InvariantCulture), totals["rejections"]);
        Assert.Equal(totals["rejections"], sample.Report.Summary.Rejections.Sum(r => r.Today));
    }

    [Fact]
    public void EveryFindingOfTheDayIsCountedInItsDetectorsSection()
    {
        var counted = sample.Report.Summary.Findings.Sum(f => f.Today);
        Assert.Equal(counted, sample.Report.Detectors.Sum(d => d.Count));
        Assert.All(sample.Report.Detectors, d => Assert.Equal(d.Count, d.New + d.Continuing));
        var openRelay = Assert.Single(sample.Report.Detectors, d => d.Detector == "open_relay");
        Assert.Contains(sample.Report.Summary.Callouts, c => c.StartsWith("Critical: open relaying by " + openRelay.Top[0].Subject, StringComparison.Ordinal));
    }

    [Fact]
    public void TheBotsOfOneSharedDictionaryAreOneCampaignItem()
    {
        var harvest = Assert.Single(sample.Report.Detectors, d => d.Detector == "dha");
        var campaign = Assert.Single(harvest.Top, i => i.Findings > 1);
        var members = Assert.Single(campaign.Evidence, e => e.Label == "Member IPs");
        Assert.Equal(campaign.Findings, members.Total);
        Assert.Equal(harvest.Count, harvest.Top.Sum(i => i.Findings));
    }

    [Fact]
    public async Task ADayWithoutDataGivesAReportThatSaysSo()
    {
        await using var store = await TestEngine.OpenAsync();
        var report = await SampleDayFixture.BuildAsync(store, new DateOnly(2026, 1, 1));

        Assert.False(report.HasData);
        Assert.Contains("No events were logged for this day", report.Summary.Callouts.Single(), StringComparison.Ordinal);
        Assert.Empty(report.Detectors);
        Assert.Null(report.Scores);
        Assert.Null(report.Blocklist);
        Assert.Empty(report.Traffic.Relays);
        var written = await ReportWriter.WriteAsync(report, Path.Combine(Path.GetTempPath(), "relaywatch-report-tests", Guid.NewGuid().ToString("N")), ReportWriter.Formats, CancellationToken.None);
        Assert.Contains("No traffic was logged on this day.", await File.ReadAllTextAsync(written.Html!), StringComparison.Ordinal);
        Assert.Empty(written.Charts);
    }
}
