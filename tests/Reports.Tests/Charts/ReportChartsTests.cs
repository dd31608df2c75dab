using System.Globalization;
using RelayWatch.Analysis.Detection;
using RelayWatch.Reports.Charts;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Reports.Tests.Charts;

public sealed class ReportChartsTests(SampleDayFixture sample) : IClassFixture<SampleDayFixture>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void EveryChartOfTheSampleDayRendersToAPngWithACaption()
    {
        var charts = ReportCharts.Render(sample.Report);

        Assert.Equal(["hourly-messages", "hourly-sessions-by-site", "refusals", "daily-trend", "hour-by-day", "attack-networks"], charts.Select(c => c.Id));
        Assert.All(charts, chart =>
        {
            Assert.True(chart.Png.Length > 5_000, $"{chart.Id} is only {chart.Png.Length} bytes");
            Assert.Equal(PngSignature, chart.Png[..8]);
            Assert.False(string.IsNullOrWhiteSpace(chart.Title));
            Assert.EndsWith(".", chart.Caption.TrimEnd(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task TheTrafficChartsDataIsWhatTheStoreHolds()
    {
        var rows = await sample.Store.QueryListAsync(
            $"SELECT toHour(ts), count() FROM smtp_events WHERE toDate(ts) = '2026-11-24' AND event = 'message' AND {Sql.AtEdge} GROUP BY 1 ORDER BY 1", null, CancellationToken.None);
        var expected = rows.ToDictionary(r => int.Parse(r[0], CultureInfo.InvariantCulture), r => long.Parse(r[1], CultureInfo.InvariantCulture));
        var drawn = sample.Report.Traffic.Hourly.GroupBy(h => h.Hour).ToDictionary(g => g.Key, g => g.Sum(h => h.Messages));

        Assert.Equal(expected.Where(e => e.Value > 0).OrderBy(e => e.Key), drawn.Where(d => d.Value > 0).OrderBy(d => d.Key));
        Assert.Equal(expected.Values.Sum(), sample.Report.Traffic.HourByDay.Where(c => c.Day == SampleDayFixture.Day).Sum(c => c.Messages));
        Assert.Equal(expected.Values.Sum(), sample.Report.Traffic.History.Where(h => h.Day == SampleDayFixture.Day).Sum(h => h.Messages));
        Assert.Equal(sample.Report.Summary.Totals.Single(t => t.Name == "sessions").Today, sample.Report.Traffic.Hourly.Sum(h => h.Sessions));
    }

    [Fact]
    public async Task TheScoreHistogramCountsEveryScoredAddressOnce()
    {
        await using var store = await TestEngine.OpenAsync();
        await store.ExecuteAsync(
            """
            INSERT INTO ip_scores (day, ip, score, model, reasons, created_at)
            SELECT '2026-11-24', concat('198.51.100.', toString(number)), number / 100, 'gbt-test', ['a reason'], now64(3) FROM numbers(101)
            """,
            CancellationToken.None);
        await store.ExecuteAsync("INSERT INTO smtp_events (ts, relay, source, event) VALUES ('2026-11-24 10:00:00', 'mx1', 'postfix', 'connect')", CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, SampleDayFixture.Day);
        var chart = ReportCharts.ScoreHistogram(report);

        Assert.NotNull(chart);
        Assert.Equal(101, report.Scores!.Histogram.Sum());
        Assert.Equal(5, report.Scores.Histogram[0]); // 0.00 … 0.04
        Assert.Equal(6, report.Scores.Histogram[^1]); // 0.95 … 1.00
        Assert.Equal(51, report.Scores.AtLeastHalf);
        Assert.Equal(20, report.Scores.Top.Count);
        Assert.Equal("198.51.100.100", report.Scores.Top[0].Ip);
    }
}
