using RelayWatch.Reports.Tests.Support;

namespace RelayWatch.Reports.Tests.Capacity;

/// <summary>The report's capacity part against simulated traffic whose growth and outages are known.</summary>
public sealed class SimulatedEstateTests(SimulatedEstateFixture estate) : IClassFixture<SimulatedEstateFixture>
{
    private static readonly ReportSettings Settings = new()
    {
        Sites = new Dictionary<string, IReadOnlyList<string>> { ["lon"] = ["mx1"], ["fra"] = ["mx2"], ["nyc"] = ["esa1"], ["sgp"] = ["mx4"], ["ams"] = ["EDGE1"] },
        CapacityMessagesPerHour = new Dictionary<string, double> { ["mx1"] = 1_000 },
    };

    [Fact]
    public async Task TheForecastRecoversTheSimulatedGrowthWithinTenPercent()
    {
        var report = await SampleDayFixture.BuildAsync(estate.Store, estate.Last, Settings);

        var trend = Assert.Single(report.Traffic.Trends, t => t.Relay == "mx1");
        var expected = SimulatedEstateFixture.GrowthPercent / 100;
        Assert.NotNull(trend.Growth30);
        Assert.InRange(trend.Growth30.Value, expected * 0.9, expected * 1.1);
        Assert.Equal(28, trend.Forecast.Count);
        Assert.True(trend.Forecast[^1].Messages > trend.Forecast[0].Messages * 1.2, "28 days at 1 % a day grow by about a third");
        // Weekends carry about half a weekday's mail.
        Assert.InRange(trend.WeekdayFactors[6] / trend.WeekdayFactors[2], 0.3, 0.7);
    }

    [Fact]
    public async Task TheDayCapacityIsReachedIsTheFirstOnWhichTheForecastBusiestHourReachesIt()
    {
        var report = await SampleDayFixture.BuildAsync(estate.Store, estate.Last, Settings);

        var trend = Assert.Single(report.Traffic.Trends, t => t.Relay == "mx1");
        Assert.NotNull(trend.CapacityReached);
        Assert.Contains(trend.CapacityReached.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), trend.Verdict, StringComparison.Ordinal);
        var within = trend.Forecast.Where(f => f.Day <= trend.CapacityReached).ToList();
        if (within.Count > 0 && within[^1].Day == trend.CapacityReached)
        {
            Assert.True(within[^1].PeakHourMessages >= 1_000);
            Assert.All(within.SkipLast(1), f => Assert.True(f.PeakHourMessages < 1_000));
        }
        else
        {
            Assert.All(trend.Forecast, f => Assert.True(f.PeakHourMessages < 1_000));
        }
    }

    [Fact]
    public async Task EveryOutageOfThePreferredSiteIsAFailoverAtTheSimulatedTimesAndAGapInItsLog()
    {
        Assert.Equal(5, estate.Outages.Count);
        foreach (var (start, end) in estate.Outages)
        {
            var report = await SampleDayFixture.BuildAsync(estate.Store, DateOnly.FromDateTime(start), Settings);

            var failover = Assert.Single(report.Traffic.Failovers);
            Assert.Equal(("lon", "fra"), (failover.FromSite, failover.ToSite));
            // Detection works in ten-minute buckets: start and end lie within one bucket of the truth.
            Assert.InRange(failover.Start, start.AddMinutes(-10), start.AddMinutes(10));
            Assert.InRange(failover.End, end.AddMinutes(-10), end.AddMinutes(10));
            // The relay's log falls silent when the outage starts (sessions in flight finish within a minute) and speaks again after it.
            var gap = Assert.Single(report.DataQuality.Gaps, g => g.Relay == "mx1");
            Assert.InRange(gap.From, start.AddMinutes(-10), start.AddMinutes(1));
            Assert.InRange(gap.To, end, end.AddMinutes(10));
        }
    }

    [Fact]
    public async Task ADayWithoutOutageHasNoFailover()
    {
        var report = await SampleDayFixture.BuildAsync(estate.Store, SimulatedEstateFixture.Start.AddDays(5), Settings);

        Assert.Empty(report.Traffic.Failovers);
        Assert.Equal(5, report.Traffic.Sites.Count);
        Assert.True(report.Traffic.Sites.Single(s => s.Name == "lon").InboundShare > 0.85);
    }
}
