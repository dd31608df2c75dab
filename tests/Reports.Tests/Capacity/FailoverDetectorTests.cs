using RelayWatch.Reports.Capacity;

namespace RelayWatch.Reports.Tests.Capacity;

public sealed class FailoverDetectorTests
{
    private static readonly DateTime Day = new(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc);

    private static readonly Dictionary<string, double> Usual = new(StringComparer.Ordinal) { ["london"] = 0.8, ["frankfurt"] = 0.2 };

    /// <summary>Inbound sessions per ten minutes: 40 a bucket, 80 % to london, except where london is dark.</summary>
    private static Dictionary<(string Site, DateTime Start), long> Day24(DateTime? darkFrom, DateTime? darkTo)
    {
        var buckets = new Dictionary<(string, DateTime), long>();
        for (var start = Day; start < Day.AddDays(1); start += FailoverDetector.Bucket)
        {
            var dark = start >= darkFrom && start < darkTo;
            buckets[("london", start)] = dark ? 0 : 32;
            buckets[("frankfurt", start)] = dark ? 40 : 8;
        }

        return buckets;
    }

    [Fact]
    public void APreferredSiteGoingDarkIsOneEpisodeWithItsTimes()
    {
        var episode = Assert.Single(FailoverDetector.Detect(Day24(Day.AddHours(9).AddMinutes(20), Day.AddHours(11)), Usual));

        Assert.Equal(("london", "frankfurt"), (episode.FromSite, episode.ToSite));
        Assert.Equal(Day.AddHours(9).AddMinutes(20), episode.Start);
        Assert.Equal(Day.AddHours(11), episode.End);
        Assert.Equal(0, episode.ShareDuring);
        Assert.Equal(320, episode.SessionsMoved); // 10 buckets × 40 sessions × 0.8
    }

    [Fact]
    public void ANormalDayAndASingleQuietBucketAreNoFailover()
    {
        Assert.Empty(FailoverDetector.Detect(Day24(null, null), Usual));
        Assert.Empty(FailoverDetector.Detect(Day24(Day.AddHours(3), Day.AddHours(3).AddMinutes(10)), Usual));
    }

    [Fact]
    public void OneSiteHasNothingToFailOverTo() =>
        Assert.Empty(FailoverDetector.Detect(new Dictionary<(string, DateTime), long> { [("london", Day)] = 0 }, new Dictionary<string, double> { ["london"] = 1 }));
}
