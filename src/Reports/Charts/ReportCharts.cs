using System.Globalization;
using RelayWatch.Reports.Content;
using RelayWatch.Reports.Sections;
using ScottPlot;
using static System.FormattableString;

namespace RelayWatch.Reports.Charts;

/// <summary>
/// Draws the report's charts with ScottPlot from the report's own content, so every picture shows
/// exactly the numbers the JSON holds. Each has a title, axis labels with units, and a caption.
/// </summary>
public static class ReportCharts
{
    private const int Width = 900;
    private const int Height = 360;

    public static IReadOnlyList<ReportChart> Render(DailyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var charts = new List<ReportChart?>
        {
            // One timeline per backscatter wave, drawn where the backscatter section shows it.
            HourlyMessages(report),
            HourlySessionsBySite(report),
            Refusals(report),
            ScoreHistogram(report),
            DailyTrend(report),
            HourByDay(report),
            AttackNetworks(report),
        };
        charts.AddRange(report.Detectors.SelectMany(d => d.Waves).Select(BackscatterWave));
        return [.. charts.OfType<ReportChart>()];
    }

    /// <summary>Stacked bars: accepted messages per hour, one colour per relay.</summary>
    internal static ReportChart? HourlyMessages(DailyReport report)
    {
        var hourly = report.Traffic.Hourly;
        if (hourly.Sum(h => h.Messages) == 0)
        {
            return null;
        }

        var relays = hourly.Select(h => h.Relay).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var plot = NewPlot("Accepted messages per hour", "Hour of the day (UTC)", "Messages per hour");
        Stacked(plot, relays, Enumerable.Range(0, 24).Select(h => (double)h).ToList(), (relay, hour) => hourly.Where(p => p.Relay == relay && p.Hour == (int)hour).Sum(p => p.Messages));
        var peak = report.Traffic.Relays.OrderByDescending(r => r.PeakHourMessages).First();
        return Chart("hourly-messages", plot,
            Invariant($"Messages accepted in each hour of {report.Day:yyyy-MM-dd}, stacked by relay; the busiest hour was {peak.PeakHour:00}:00 on {peak.Name} with {peak.PeakHourMessages:N0}."));
    }

    /// <summary>Stacked bars of inbound and outbound sessions per hour by site: failover shows as one colour giving way to another.</summary>
    internal static ReportChart? HourlySessionsBySite(DailyReport report)
    {
        var hourly = report.Traffic.Hourly;
        if (hourly.Sum(h => h.Sessions) == 0)
        {
            return null;
        }

        var siteOf = report.Traffic.Relays.ToDictionary(r => r.Name, r => r.Site, StringComparer.Ordinal);
        var sites = siteOf.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var plot = NewPlot("SMTP sessions per hour by site", "Hour of the day (UTC)", "Sessions per hour");
        Stacked(plot, sites, Enumerable.Range(0, 24).Select(h => (double)h).ToList(),
            (site, hour) => hourly.Where(p => siteOf.GetValueOrDefault(p.Relay) == site && p.Hour == (int)hour).Sum(p => p.Sessions));
        var failovers = report.Traffic.Failovers.Count == 0
            ? "no failover was seen"
            : string.Join("; ", report.Traffic.Failovers.Select(f => Invariant($"{f.FromSite} failed over to {f.ToSite} from {f.Start:HH:mm} to {f.End:HH:mm}")));
        return Chart("hourly-sessions-by-site", plot, $"SMTP sessions opened in each hour, stacked by Point-of-Presence site; {failovers}.");
    }

    /// <summary>Grouped bars: refusals by reason today against the week's median.</summary>
    internal static ReportChart? Refusals(DailyReport report)
    {
        var reasons = report.Summary.Rejections.Where(r => r.Today > 0 || r.Median7 > 0).ToList();
        if (reasons.Count == 0)
        {
            return null;
        }

        var plot = NewPlot("Refusals by reason", "Reason", "Refusals per day");
        var today = Color.FromHex("#1f77b4");
        var median = Color.FromHex("#aaaaaa");
        var bars = new List<Bar>();
        for (var i = 0; i < reasons.Count; i++)
        {
            bars.Add(new Bar { Position = (i * 3) + 0.5, Value = reasons[i].Today, FillColor = today, Size = 1 });
            bars.Add(new Bar { Position = (i * 3) + 1.5, Value = reasons[i].Median7, FillColor = median, Size = 1 });
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. reasons.Select((_, i) => (i * 3) + 1.0)], [.. reasons.Select(r => r.Label)]);
        Legend(plot, [("today", today), ("median of the 7 days before", median)]);
        plot.Axes.Margins(bottom: 0);
        var top = reasons.OrderByDescending(r => r.Today).First();
        return Chart("refusals", plot, Invariant($"Refusals of {report.Day:yyyy-MM-dd} by reason beside the median of the week before; most were \"{top.Label}\" ({top.Today:N0})."));
    }

    /// <summary>Histogram of the day's IP scores, on a log scale of counts so the few bad senders show.</summary>
    internal static ReportChart? ScoreHistogram(DailyReport report)
    {
        if (report.Scores is not { Scored: > 0 } scores)
        {
            return null;
        }

        var plot = NewPlot("IP reputation scores", "Score (0 good … 1 bad)", "Addresses (log10 scale)");
        var bars = scores.Histogram.Select((count, band) => new Bar
        {
            Position = (band + 0.5) / ScoreReader.Bands,
            Value = count == 0 ? 0 : Math.Log10(count + 1),
            Size = 1.0 / ScoreReader.Bands * 0.9,
            FillColor = band >= ScoreReader.Bands / 2 ? Color.FromHex("#d62728") : Color.FromHex("#1f77b4"),
        }).ToList();
        plot.Add.Bars(bars);
        var ticks = new[] { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000 }.Where(t => t <= Math.Max(10, scores.Histogram.Max() * 10)).ToList();
        plot.Axes.Left.SetTicks([.. ticks.Select(t => Math.Log10(t + 1))], [.. ticks.Select(t => t.ToString("N0", CultureInfo.InvariantCulture))]);
        plot.Axes.Margins(bottom: 0);
        return Chart("score-histogram", plot,
            Invariant($"How the {scores.Scored:N0} scored addresses spread over the score; {scores.AtLeastHalf:N0} scored 0.5 or more (red) and {scores.AtLeast95:N0} scored 0.95 or more, by model {scores.Model}."));
    }

    /// <summary>Daily accepted messages per relay over the history, with the 28-day forecast dashed.</summary>
    internal static ReportChart? DailyTrend(DailyReport report)
    {
        var history = report.Traffic.History;
        if (history.Count == 0)
        {
            return null;
        }

        var plot = NewPlot("Daily messages and forecast", "Day", "Accepted messages per day");
        var palette = new ScottPlot.Palettes.Category10();
        var relays = history.Select(h => h.Relay).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < relays.Count; i++)
        {
            var points = history.Where(h => h.Relay == relays[i]).OrderBy(h => h.Day).ToList();
            var line = plot.Add.Scatter(
                points.Select(p => p.Day.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray(), points.Select(p => (double)p.Messages).ToArray(), palette.GetColor(i));
            line.LegendText = relays[i];
            line.MarkerSize = points.Count > 1 ? 0 : 5;
            var trend = report.Traffic.Trends.FirstOrDefault(t => t.Relay == relays[i]);
            if (trend is { Forecast.Count: > 0 })
            {
                var forecast = plot.Add.Scatter(
                    trend.Forecast.Select(f => f.Day.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray(), trend.Forecast.Select(f => f.Messages).ToArray(), palette.GetColor(i));
                forecast.LinePattern = LinePattern.Dashed;
                forecast.MarkerSize = 0;
                forecast.LegendText = $"{relays[i]} forecast";
            }
        }

        // One tick a day over two weeks or less, else one a week (dates only: the points are days).
        var first = history.Min(h => h.Day);
        var last = report.Traffic.Trends.SelectMany(t => t.Forecast).Select(f => f.Day).DefaultIfEmpty(report.Day).Max();
        var step = last.DayNumber - first.DayNumber <= 14 ? 1 : 7;
        var ticks = Enumerable.Range(0, ((last.DayNumber - first.DayNumber) / step) + 1).Select(i => first.AddDays(i * step)).ToList();
        plot.Axes.Bottom.SetTicks([.. ticks.Select(d => d.ToDateTime(TimeOnly.MinValue).ToOADate())], [.. ticks.Select(d => d.ToString("MM-dd", CultureInfo.InvariantCulture))]);
        plot.ShowLegend(Alignment.UpperLeft);
        var verdicts = string.Join(" ", report.Traffic.Trends.Select(t => t.Verdict));
        return Chart("daily-trend", plot, $"Messages accepted per day by each relay over up to 90 days, and the seasonal forecast for the next 28 (dashed). {verdicts}");
    }

    /// <summary>Heat map of accepted messages by hour (rows) and day (columns) over four weeks.</summary>
    internal static ReportChart? HourByDay(DailyReport report)
    {
        var cells = report.Traffic.HourByDay;
        if (cells.Count == 0)
        {
            return null;
        }

        var days = Enumerable.Range(0, TrafficReader.HeatMapDays).Select(i => report.Day.AddDays(i + 1 - TrafficReader.HeatMapDays)).ToList();
        var data = new double[24, days.Count];
        foreach (var cell in cells)
        {
            var column = days.IndexOf(cell.Day);
            if (column >= 0)
            {
                data[23 - cell.Hour, column] = cell.Messages;
            }
        }

        var plot = NewPlot("Messages by hour and day", "Day", "Hour of the day (UTC)");
        var map = plot.Add.Heatmap(data);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.Extent = new CoordinateRect(0, days.Count, 0, 24);
        plot.Add.ColorBar(map).Label = "Messages per hour";
        plot.Axes.Bottom.SetTicks([.. days.Select((_, i) => i + 0.5).Where((_, i) => i % 7 == 6)], [.. days.Where((_, i) => i % 7 == 6).Select(d => d.ToString("MM-dd", CultureInfo.InvariantCulture))]);
        plot.Axes.Left.SetTicks([0.5, 6.5, 12.5, 18.5, 23.5], ["23", "17", "11", "05", "00"]);
        var busiest = cells.OrderByDescending(c => c.Messages).First();
        return Chart("hour-by-day", plot,
            Invariant($"Accepted messages of all relays per hour (rows, 00 at the top) and day (columns) over the four weeks to {report.Day:yyyy-MM-dd}; weekends and nights show as darker cells; the busiest hour was {busiest.Day:yyyy-MM-dd} {busiest.Hour:00}:00 ({busiest.Messages:N0})."));
    }

    /// <summary>The chart id of a wave's timeline: <c>backscatter-wave-ours-example</c>.</summary>
    internal static string WaveChartId(string domain) =>
        "backscatter-wave-" + new string([.. domain.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]);

    /// <summary>Stacked bars: a backscatter wave's bounces per hour of the day, refused at RCPT and accepted.</summary>
    internal static ReportChart? BackscatterWave(DetectorSection.Wave wave)
    {
        if (wave.Hours.Count == 0)
        {
            return null;
        }

        var plot = NewPlot(Invariant($"Backscatter wave to {wave.Domain}"), "Hour of the day (UTC)", "Bounces per hour");
        var refused = wave.Hours.ToDictionary(h => h.Hour.Hour, h => h.Refused);
        var accepted = wave.Hours.ToDictionary(h => h.Hour.Hour, h => h.Accepted);
        Stacked(plot, ["refused at RCPT", "accepted"], [.. Enumerable.Range(0, 24).Select(h => (double)h)],
            (series, hour) => (series == "accepted" ? accepted : refused).GetValueOrDefault((int)hour));
        var peak = wave.Hours.MaxBy(h => h.Refused + h.Accepted)!;
        return Chart(WaveChartId(wave.Domain), plot, Invariant(
            $"Bounces to {wave.Domain} in each hour, refused at RCPT and accepted: {wave.Hours.Sum(h => h.Refused):N0} refused, {wave.Hours.Sum(h => h.Accepted):N0} accepted, from {wave.Hours[0].Hour:HH}:00; the peak was {peak.Hour:HH}:00 with {peak.Refused + peak.Accepted:N0}."));
    }

    /// <summary>Bars: the attacking addresses of the day per network (AS), the busiest first.</summary>
    internal static ReportChart? AttackNetworks(DailyReport report)
    {
        if (report.AttackNetworks is not { Networks.Count: > 0 } section)
        {
            return null;
        }

        var plot = NewPlot("Attacking addresses by network", "Autonomous system", "Addresses named by findings");
        var colour = Color.FromHex("#d62728");
        plot.Add.Bars(section.Networks.Select((n, i) => new Bar { Position = i, Value = n.Addresses, FillColor = colour, Size = 0.7 }).ToList());
        plot.Axes.Bottom.SetTicks([.. section.Networks.Select((_, i) => (double)i)], [.. section.Networks.Select(n => AsLabel(n.Asn))]);
        plot.Axes.Margins(bottom: 0);
        var top = section.Networks[0];
        return Chart("attack-networks", plot, Invariant(
            $"The {section.Addresses:N0} addresses the findings of {report.Day:yyyy-MM-dd} blame, by the network behind them; the most were in {AsLabel(top.Asn)}{(top.Organisation.Length > 0 ? " " + top.Organisation : string.Empty)}{(top.Country.Length > 0 ? ", " + top.Country : string.Empty)} ({top.Addresses:N0} addresses, {top.Events:N0} events)."));
    }

    /// <summary>"AS64500", or "unknown" for addresses the context does not know.</summary>
    internal static string AsLabel(uint asn) => asn == 0 ? "unknown" : Invariant($"AS{asn}");

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private static void Stacked(Plot plot, IReadOnlyList<string> series, IReadOnlyList<double> positions, Func<string, double, long> value)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        var baseline = new double[positions.Count];
        for (var s = 0; s < series.Count; s++)
        {
            for (var p = 0; p < positions.Count; p++)
            {
                var v = value(series[s], positions[p]);
                bars.Add(new Bar { Position = positions[p], ValueBase = baseline[p], Value = baseline[p] + v, FillColor = palette.GetColor(s), Size = 0.8 });
                baseline[p] += v;
            }
        }

        plot.Add.Bars(bars);
        Legend(plot, [.. series.Select((name, i) => (name, palette.GetColor(i)))]);
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsX(positions[0] - 0.7, positions[^1] + 0.7);
    }

    private static void Legend(Plot plot, IReadOnlyList<(string Label, Color Color)> items)
    {
        foreach (var (label, color) in items)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color });
        }

        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static ReportChart Chart(string id, Plot plot, string caption) =>
        new(id, plot.Axes.Title.Label.Text, caption, plot.GetImageBytes(Width, Height, ImageFormat.Png));
}
