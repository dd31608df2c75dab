using RelayWatch.Reports.Capacity;

namespace RelayWatch.Reports.Tests.Capacity;

public sealed class SeasonalTrendTests
{
    private static readonly double[] Week = [1.1, 1.15, 1.1, 1.05, 1.0, 0.45, 0.4]; // Monday … Sunday

    [Theory]
    [InlineData(0.002, 30)]
    [InlineData(0.01, 30)]
    [InlineData(0.004, 90)]
    [InlineData(-0.003, 60)]
    public void GrowthAndWeekdaysAreRecoveredFromANoisySeries(double growth, int days)
    {
        var random = new Random(7);
        var start = new DateOnly(2026, 6, 1);
        var series = Enumerable.Range(0, days).Select(i =>
        {
            var day = start.AddDays(i);
            var noise = 1 + ((random.NextDouble() - 0.5) * 0.04); // ±2 %
            return (day, 10_000 * Math.Pow(1 + growth, i) * Week[((int)day.DayOfWeek + 6) % 7] * noise);
        }).ToList();

        var trend = SeasonalTrend.Fit(series, 14);

        Assert.NotNull(trend);
        Assert.InRange(trend.Growth, growth - (Math.Abs(growth) * 0.1), growth + (Math.Abs(growth) * 0.1));
        var average = Week.Average();
        for (var i = 0; i < 7; i++)
        {
            Assert.InRange(trend.WeekdayFactors[i] / (Week[i] / average), 0.95, 1.05);
        }
    }

    [Fact]
    public void TooFewDaysGiveNoTrend()
    {
        var series = Enumerable.Range(0, 10).Select(i => (new DateOnly(2026, 6, 1).AddDays(i), 100.0)).ToList();

        Assert.Null(SeasonalTrend.Fit(series, 14));
        Assert.NotNull(SeasonalTrend.Fit([.. series, .. Enumerable.Range(10, 4).Select(i => (new DateOnly(2026, 6, 1).AddDays(i), 100.0))], 14));
    }
}
