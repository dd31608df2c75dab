using RelayWatch.Reports.Content;

namespace RelayWatch.Reports.Capacity;

/// <summary>
/// Finds MX failover in inbound sessions per site and ten-minute bucket: the preferred site (the one
/// that usually takes most) drops below a quarter of its usual share for at least twenty minutes while
/// the Internet keeps sending, and another site takes the load.
/// </summary>
internal static class FailoverDetector
{
    public static readonly TimeSpan Bucket = TimeSpan.FromMinutes(10);

    /// <summary>Buckets with fewer inbound sessions than this say nothing about shares.</summary>
    private const long MinimumSessions = 5;

    /// <param name="buckets">Inbound sessions per (site, bucket start).</param>
    /// <param name="usualShares">Each site's share of inbound sessions over the days before (or the day itself when there are none).</param>
    public static IReadOnlyList<TrafficSection.Failover> Detect(IReadOnlyDictionary<(string Site, DateTime Start), long> buckets, IReadOnlyDictionary<string, double> usualShares)
    {
        if (usualShares.Count < 2)
        {
            return [];
        }

        var preferred = usualShares.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First();

        // Only buckets with enough inbound sessions say anything about shares; the others neither count nor break a run.
        var informative = buckets.GroupBy(b => b.Key.Start).OrderBy(g => g.Key)
            .Select(g => (Start: g.Key, Total: g.Sum(b => b.Value)))
            .Where(b => b.Total >= MinimumSessions)
            .Select(b => (b.Start, b.Total, Collapsed: buckets.GetValueOrDefault((preferred.Key, b.Start)) < preferred.Value * 0.25 * b.Total))
            .ToList();

        var episodes = new List<TrafficSection.Failover>();
        var run = new List<(DateTime Start, long Total, bool Collapsed)>();
        foreach (var bucket in informative.Append((Start: DateTime.MaxValue, Total: 0L, Collapsed: false)))
        {
            if (bucket.Collapsed && (run.Count == 0 || bucket.Start - run[^1].Start <= 3 * Bucket))
            {
                run.Add(bucket);
                continue;
            }

            if (run.Count >= 2)
            {
                episodes.Add(Episode(run, preferred, buckets, usualShares));
            }

            run.Clear();
            if (bucket.Collapsed)
            {
                run.Add(bucket);
            }
        }

        return episodes;
    }

    private static TrafficSection.Failover Episode(
        List<(DateTime Start, long Total, bool Collapsed)> run, KeyValuePair<string, double> preferred,
        IReadOnlyDictionary<(string Site, DateTime Start), long> buckets, IReadOnlyDictionary<string, double> usualShares)
    {
        var total = run.Sum(b => b.Total);
        var kept = run.Sum(b => buckets.GetValueOrDefault((preferred.Key, b.Start)));
        var taker = usualShares.Keys.Where(s => s != preferred.Key)
            .OrderByDescending(s => run.Sum(b => buckets.GetValueOrDefault((s, b.Start)))).ThenBy(s => s, StringComparer.Ordinal).First();
        return new TrafficSection.Failover(
            preferred.Key, taker, run[0].Start, run[^1].Start + Bucket,
            Math.Round(preferred.Value, 3), Math.Round(total == 0 ? 0 : (double)kept / total, 3),
            (long)Math.Round((preferred.Value * total) - kept));
    }
}
