namespace RelayWatch.Reports.Content;

/// <summary>Load per relay and site, failover, trends and forecast: the capacity planner's part.</summary>
/// <param name="Hourly">Per relay and hour of the day (UTC): accepted messages, their bytes, sessions.</param>
/// <param name="History">Accepted messages per relay and day over the 90 days ending with the day.</param>
/// <param name="HourByDay">Accepted messages of all relays per day and hour over the 28 days ending with the day.</param>
/// <param name="Failovers">Episodes where the preferred site's share of inbound sessions collapsed and another took over.</param>
public sealed record TrafficSection(
    IReadOnlyList<TrafficSection.Relay> Relays,
    IReadOnlyList<TrafficSection.Site> Sites,
    IReadOnlyList<TrafficSection.HourPoint> Hourly,
    TrafficSection.AttackShare AttackLoad,
    IReadOnlyList<TrafficSection.Failover> Failovers,
    IReadOnlyList<RelayTrend> Trends,
    IReadOnlyList<TrafficSection.DayPoint> History,
    IReadOnlyList<TrafficSection.HeatCell> HourByDay)
{
    /// <param name="MessagesIn">Accepted from outside.</param>
    /// <param name="MessagesOut">Accepted from our own servers, for the Internet.</param>
    /// <param name="PeakHour">The busiest hour (0–23, UTC) by accepted messages.</param>
    /// <param name="PeakMinute">The busiest minute, when any message was accepted.</param>
    /// <param name="MaxConcurrentSessions">The most SMTP sessions open at once.</param>
    public sealed record Relay(
        string Name, string Site, long MessagesIn, long MessagesOut, long Bytes, long Sessions,
        int PeakHour, long PeakHourMessages, DateTime? PeakMinute, long PeakMinuteMessages, long MaxConcurrentSessions);

    /// <param name="InboundShare">Its share of the day's inbound sessions, 0..1.</param>
    public sealed record Site(string Name, IReadOnlyList<string> Relays, long Messages, long Bytes, long Sessions, double InboundShare);

    public sealed record HourPoint(string Relay, int Hour, long Messages, long Bytes, long Sessions);

    public sealed record DayPoint(string Relay, DateOnly Day, long Messages);

    public sealed record HeatCell(DateOnly Day, int Hour, long Messages);

    /// <summary>How much of the load the day's attackers (the subjects of its findings) caused.</summary>
    public sealed record AttackShare(long Sessions, long AttackSessions, long Rejections, long AttackRejections)
    {
        public double SessionShare => Sessions == 0 ? 0 : (double)AttackSessions / Sessions;

        public double RejectionShare => Rejections == 0 ? 0 : (double)AttackRejections / Rejections;
    }

    /// <param name="UsualShare">The preferred site's share of inbound sessions over the seven days before.</param>
    /// <param name="ShareDuring">Its share during the episode.</param>
    public sealed record Failover(string FromSite, string ToSite, DateTime Start, DateTime End, double UsualShare, double ShareDuring, long SessionsMoved);
}
