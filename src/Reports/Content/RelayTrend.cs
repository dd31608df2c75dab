namespace RelayWatch.Reports.Content;

/// <summary>A relay's growth and seasonal forecast, and when it would reach its capacity.</summary>
/// <param name="DaysOfHistory">Days with traffic in the 90 days ending with the report's day.</param>
/// <param name="Growth30">Fitted daily growth over the last 30 days (0.002 = 0.2 % a day), null with fewer than 14 days.</param>
/// <param name="Growth90">The same over 90 days, null with fewer than 45 days.</param>
/// <param name="WeekdayFactors">Monday … Sunday against the week's average, from the fit.</param>
/// <param name="Forecast">Expected accepted messages for each of the next 28 days.</param>
/// <param name="PeakHourShare">The median share of a day's messages its busiest hour takes (last 30 days).</param>
/// <param name="CapacityMessagesPerHour">From the configuration, null when not configured.</param>
/// <param name="CapacityReached">The first day the forecast busiest hour reaches the capacity, null when not within five years.</param>
/// <param name="Verdict">The above in a sentence.</param>
public sealed record RelayTrend(
    string Relay,
    int DaysOfHistory,
    double? Growth30,
    double? Growth90,
    IReadOnlyList<double> WeekdayFactors,
    IReadOnlyList<RelayTrend.ForecastPoint> Forecast,
    double PeakHourShare,
    double? CapacityMessagesPerHour,
    DateOnly? CapacityReached,
    string Verdict)
{
    public sealed record ForecastPoint(DateOnly Day, double Messages, double PeakHourMessages);
}
