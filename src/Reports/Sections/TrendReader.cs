using System.Globalization;
using RelayWatch.Reports.Capacity;
using RelayWatch.Reports.Content;
using static System.FormattableString;

namespace RelayWatch.Reports.Sections;

/// <summary>Turns a relay's daily history into its growth, a 28-day seasonal forecast and the day it would be full.</summary>
internal static class TrendReader
{
    public const int ForecastDays = 28;
    private const int MinimumDays30 = 14;
    private const int MinimumDays90 = 45;
    private const int CapacityHorizonDays = 5 * 365;

    public static RelayTrend Trend(ReportContext context, string relay, IReadOnlyList<(DateOnly Day, double Messages, long PeakHour)> history)
    {
        var series = history.Select(h => (h.Day, h.Messages)).ToList();
        var fit30 = SeasonalTrend.Fit([.. series.Where(p => p.Day > context.Day.AddDays(-30))], MinimumDays30);
        var fit90 = SeasonalTrend.Fit(series, MinimumDays90);
        var fit = fit90 ?? fit30;
        var shares = history.Where(h => h.Day > context.Day.AddDays(-30) && h.Messages > 0).Select(h => h.PeakHour / h.Messages).ToList();
        var peakShare = Math.Round(Values.Median(shares), 4);
        double? capacity = context.Settings.CapacityMessagesPerHour.TryGetValue(relay, out var c) ? c : null;

        var forecast = fit is null ? [] : Enumerable.Range(1, ForecastDays)
            .Select(i => context.Day.AddDays(i))
            .Select(d => new RelayTrend.ForecastPoint(d, Math.Round(fit.Expected(d), 1), Math.Round(fit.Expected(d) * peakShare, 1)))
            .ToList();

        DateOnly? reached = null;
        if (fit is not null && capacity is not null && peakShare > 0)
        {
            for (var i = 1; i <= CapacityHorizonDays && reached is null; i++)
            {
                var day = context.Day.AddDays(i);
                if (fit.Expected(day) * peakShare >= capacity)
                {
                    reached = day;
                }
            }
        }

        return new RelayTrend(
            relay, series.Count(p => p.Messages > 0),
            fit30 is null ? null : Math.Round(fit30.Growth, 5), fit90 is null ? null : Math.Round(fit90.Growth, 5),
            fit is null ? [] : [.. fit.WeekdayFactors.Select(f => Math.Round(f, 3))],
            forecast, peakShare, capacity, reached,
            Verdict(context, relay, history, fit30, fit90, capacity, reached));
    }

    private static string Verdict(
        ReportContext context, string relay, IReadOnlyList<(DateOnly Day, double Messages, long PeakHour)> history,
        SeasonalTrend? fit30, SeasonalTrend? fit90, double? capacity, DateOnly? reached)
    {
        var days = history.Count(h => h.Messages > 0);
        if (fit30 is null && fit90 is null)
        {
            return Invariant($"{relay}: {days} day(s) of traffic so far; a trend needs {MinimumDays30}.");
        }

        var growth = fit90 is null
            ? Invariant($"{Rate(fit30!.Growth)} a day over the last 30 days")
            : Invariant($"{Rate(fit90.Growth)} a day over 90 days{(fit30 is null ? string.Empty : $" ({Rate(fit30.Growth)} over the last 30)")}");
        var peak = history.Where(h => h.Day == context.Day).Select(h => h.PeakHour).FirstOrDefault();
        var capacityText = capacity is null
            ? "no capacity is configured (reports.capacityMessagesPerHour)"
            : peak >= capacity ? Invariant($"its busiest hour today ({peak:N0} messages) already reached its capacity of {capacity:N0} an hour")
            : reached is null ? Invariant($"at this growth it stays under its capacity of {capacity:N0} messages an hour for five years")
            : Invariant($"at this growth its busiest hour reaches its capacity of {capacity:N0} messages on {reached:yyyy-MM-dd}");
        return Invariant($"{relay}: {growth}; {capacityText}.");
    }

    private static string Rate(double growth) => Invariant($"{(growth >= 0 ? "+" : string.Empty)}{growth * 100:0.00} %");
}
