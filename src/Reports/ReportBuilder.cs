using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Estate;
using RelayWatch.Reports.Content;
using RelayWatch.Reports.Sections;
using RelayWatch.Store;

namespace RelayWatch.Reports;

/// <summary>Gathers a day's report from the store: every section, read with plain ClickHouse SQL on either engine.</summary>
public sealed class ReportBuilder(IClickHouseStore store, EstateSettings estate, ReportSettings settings, TimeProvider time)
{
    public async Task<DailyReport> BuildAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ours = await EstateResolver.ResolveAsync(store, estate, day, cancellationToken).ConfigureAwait(false);
        var context = new ReportContext(store, day, ours, settings, now);
        var blocklist = new BlocklistLookup(await BlocklistState.CurrentAsync(store, cancellationToken).ConfigureAwait(false), now.UtcDateTime);

        var detectors = await DetectorReader.ReadAsync(context, blocklist, cancellationToken).ConfigureAwait(false);
        var (summary, hasData) = await SummaryReader.ReadAsync(context, detectors, cancellationToken).ConfigureAwait(false);
        var scores = await ScoreReader.ReadAsync(context, blocklist, cancellationToken).ConfigureAwait(false);
        var blocklistSection = await BlocklistReader.ReadAsync(context, blocklist, cancellationToken).ConfigureAwait(false);
        var traffic = await TrafficReader.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var quality = await DataQualityReader.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var ourDomains = await OurDomainsReader.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var attackNetworks = await AttackNetworksReader.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        summary = summary with { Callouts = [.. summary.Callouts, .. TrafficCallouts(day, traffic, quality, scores), .. OurDomainsReader.Callouts(ourDomains)] };
        return new DailyReport(DailyReport.SchemaVersion, day, now, hasData, summary, detectors, scores, blocklistSection, traffic, quality, ourDomains, attackNetworks);
    }

    /// <summary>A relay that would reach its capacity within this many days is called out in the summary.</summary>
    private const int CapacityWarningDays = 90;

    /// <summary>Failover, capacity, drift and log gaps also belong at the top of the page.</summary>
    private static IEnumerable<string> TrafficCallouts(DateOnly day, TrafficSection traffic, DataQualitySection quality, ScoreSection? scores)
    {
        foreach (var failover in traffic.Failovers)
        {
            yield return FormattableString.Invariant(
                $"MX failover: site {failover.FromSite} took {failover.ShareDuring:P0} of inbound sessions instead of its usual {failover.UsualShare:P0} from {failover.Start:HH:mm} to {failover.End:HH:mm} UTC; {failover.ToSite} took over.");
        }

        foreach (var trend in traffic.Trends.Where(t => t.CapacityReached is { } reached && reached.DayNumber - day.DayNumber <= CapacityWarningDays))
        {
            yield return FormattableString.Invariant($"Capacity: {trend.Verdict}");
        }

        foreach (var gap in quality.Gaps)
        {
            yield return FormattableString.Invariant(
                $"{gap.Relay} logged nothing from {gap.From:HH:mm} to {gap.To:HH:mm} UTC ({gap.Minutes:0} minutes) where about {gap.ExpectedSessions:N0} sessions were due.");
        }

        foreach (var skew in quality.ClockSkews.Where(s => s.Suspect))
        {
            var (later, earlier) = skew.MedianSeconds >= 0 ? (skew.HostB, skew.HostA) : (skew.HostA, skew.HostB);
            yield return FormattableString.Invariant(
                $"Clock skew: {later} logs the same messages {Math.Abs(skew.MedianSeconds):0} s after {earlier} (median of {skew.Messages:N0}); a hop takes seconds, so one of their clocks is off.");
        }

        foreach (var warning in scores?.DriftWarnings ?? [])
        {
            yield return $"Model drift: {warning}";
        }
    }
}
