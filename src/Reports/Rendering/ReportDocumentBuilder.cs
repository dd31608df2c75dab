using System.Globalization;
using RelayWatch.Reports.Charts;
using RelayWatch.Reports.Content;
using static RelayWatch.Reports.Rendering.ReportDocument;
using static System.FormattableString;

namespace RelayWatch.Reports.Rendering;

/// <summary>Words the report: one place decides what the HTML page and the Markdown say, in which order.</summary>
internal static class ReportDocumentBuilder
{
    private const int BlocklistChangesShown = 40;
    private static readonly string[] SeverityRank = ["critical", "high", "medium", "low", "analyst", "score"];

    public static ReportDocument Build(DailyReport report, IReadOnlyList<ReportChart> charts)
    {
        var blocks = new List<Block>();
        var figures = charts.ToDictionary(c => c.Id, StringComparer.Ordinal);
        void Figure(string id)
        {
            if (figures.TryGetValue(id, out var chart))
            {
                blocks.Add(new Figure(chart.Id, chart.Title, chart.Caption));
            }
        }

        blocks.Add(new Paragraph(Invariant($"Generated {report.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Times are UTC. Schema {report.Schema}."), Muted: true));
        Summary(report, blocks, Figure);
        Detectors(report, blocks, Figure);
        Scores(report, blocks, Figure);
        Blocklist(report, blocks);
        Traffic(report, blocks, Figure);
        DataQuality(report, blocks);
        OurDomainsBlocks.Add(report, blocks);
        AttackNetworksBlocks.Add(report, blocks, Figure);
        return new ReportDocument(Invariant($"RelayWatch daily report — {report.Day:yyyy-MM-dd}"), blocks);
    }

    private static void Summary(DailyReport report, List<Block> blocks, Action<string> figure)
    {
        blocks.Add(new Heading(2, "1. Summary", "summary"));
        if (report.Summary.Callouts.Count > 0)
        {
            blocks.Add(new Bullets(report.Summary.Callouts, Alert: true));
        }
        else
        {
            blocks.Add(new Paragraph("Nothing out of the ordinary: no new findings and no count moved by half against the week."));
        }

        if (!report.HasData)
        {
            return;
        }

        blocks.Add(Comparisons("Total", report.Summary.Totals));
        if (report.Summary.Rejections.Count > 0)
        {
            blocks.Add(new Heading(3, "Refusals by reason", "refusals"));
            blocks.Add(Comparisons("Reason", report.Summary.Rejections));
            figure("refusals");
        }

        if (report.Summary.Findings.Count > 0)
        {
            blocks.Add(new Heading(3, "Findings by detector and severity", "finding-counts"));
            blocks.Add(new Table(
                ["Detector", "Severity", "Today", "Day before"],
                [.. report.Summary.Findings.Select(f => (IReadOnlyList<string>)[Sections.DetectorReader.Title(f.Detector), f.Severity, Number(f.Today), Number(f.PreviousDay)])],
                [false, false, true, true]));
        }
    }

    private static Table Comparisons(string first, IReadOnlyList<SummarySection.Comparison> rows) => new(
        [first, "Today", "Day before", "7-day median", "Change"],
        [.. rows.Select(c => (IReadOnlyList<string>)[
            c.Label,
            c.Name == "bytes" ? Bytes(c.Today) : Number(c.Today),
            c.Name == "bytes" ? Bytes(c.PreviousDay) : Number(c.PreviousDay),
            c.Name == "bytes" ? Bytes((long)c.Median7) : Number(c.Median7),
            Change(c.Today, c.Median7)])],
        [false, true, true, true, true]);

    private static void Detectors(DailyReport report, List<Block> blocks, Action<string> figure)
    {
        blocks.Add(new Heading(2, "2. Findings by detector", "detectors"));
        if (report.Detectors.Count == 0)
        {
            blocks.Add(new Paragraph("No detector found anything on this day or the day before."));
            return;
        }

        foreach (var section in report.Detectors)
        {
            blocks.Add(new Heading(3, Invariant($"{section.Title} — {section.Count} finding(s): {section.New} new, {section.Continuing} continuing"), $"detector-{section.Detector}"));
            if (section.Top.Count > 0)
            {
                blocks.Add(new Table(
                    ["Subject", "Severity", "Status", "First seen", "Last seen", "Events", "Why", "Blocklist"],
                    [.. section.Top.Select(i => (IReadOnlyList<string>)[
                        i.Subject, i.Severity, i.Status, Time(i.FirstSeen), Time(i.LastSeen), Number(i.Events), i.Explanation, i.Blocklist])],
                    [false, false, false, false, false, true, false, false]));
                var evidence = section.Top
                    .Where(i => i.Evidence.Count > 0)
                    .Select(i => i.Subject + " — " + string.Join("; ", i.Evidence.Select(e => $"{e.Label}: {string.Join(", ", e.Values)}{(e.Total > e.Values.Count ? Invariant($" (+{e.Total - e.Values.Count} more)") : string.Empty)}")))
                    .ToList();
                if (evidence.Count > 0)
                {
                    blocks.Add(new Paragraph("Evidence:"));
                    blocks.Add(new Bullets(evidence));
                }

                var shown = section.Top.Sum(i => i.Findings);
                if (section.Count > shown)
                {
                    blocks.Add(new Paragraph(Invariant($"{section.Count - shown} more: relaywatch query \"SELECT subject, severity, events FROM findings WHERE day = '{report.Day:yyyy-MM-dd}' AND detector = '{section.Detector}'\""), Muted: true));
                }
            }

            foreach (var wave in section.Waves)
            {
                figure(ReportCharts.WaveChartId(wave.Domain));
            }

            if (section.Advice.Count > 0)
            {
                blocks.Add(new Paragraph("What to do:"));
                blocks.Add(new Bullets(section.Advice));
            }

            blocks.Add(new Paragraph(section.Gone.Count == 0
                ? "Gone since the day before: none."
                : Invariant($"Gone since the day before ({section.Gone.Count}): {string.Join(", ", section.Gone.Take(20))}{(section.Gone.Count > 20 ? ", …" : string.Empty)}.")));
        }
    }

    private static void Scores(DailyReport report, List<Block> blocks, Action<string> figure)
    {
        blocks.Add(new Heading(2, "3. Scored IPs", "scores"));
        if (report.Scores is not { } scores)
        {
            blocks.Add(new Paragraph("No IP scores for this day: train a model (relaywatch train) and score the day (relaywatch score --day)."));
            return;
        }

        var window = scores.TrainedFrom is { } from && scores.TrainedTo is { } to ? Invariant($", trained on {from:yyyy-MM-dd} to {to:yyyy-MM-dd}") : string.Empty;
        blocks.Add(new Paragraph(Invariant(
            $"{scores.Scored:N0} addresses scored by model {scores.Model} ({scores.Kind ?? "unknown kind"}{window}); {scores.AtLeastHalf:N0} at 0.5 or more, {scores.AtLeast95:N0} at 0.95 or more.")));
        blocks.Add(scores.DriftWarnings.Count == 0
            ? new Paragraph("Drift check: the day's features look like the training data.")
            : new Bullets([.. scores.DriftWarnings.Select(w => "Drift: " + w)], Alert: true));
        blocks.Add(new Table(
            ["Address", "Score", "Reasons", "Blocklist"],
            [.. scores.Top.Select(a => (IReadOnlyList<string>)[a.Ip, a.Score.ToString("0.000", CultureInfo.InvariantCulture), string.Join("; ", a.Reasons), a.Blocklist])],
            [false, true, false, false]));
        figure("score-histogram");
    }

    private static void Blocklist(DailyReport report, List<Block> blocks)
    {
        blocks.Add(new Heading(2, "4. Blocklist changes", "blocklist"));
        if (report.Blocklist is not { } blocklist)
        {
            blocks.Add(new Paragraph("There is no blocklist yet (relaywatch blocklist update makes one)."));
            return;
        }

        var counts = blocklist.Changes.GroupBy(c => c.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Invariant($"{g.Count()} {g.Key}"));
        blocks.Add(new Paragraph(Invariant(
            $"From {blocklist.From.UtcDateTime:yyyy-MM-dd HH:mm} to {blocklist.To.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {(blocklist.Changes.Count == 0 ? "no changes" : string.Join(", ", counts))}. Now {blocklist.ListedNow:N0} entries are listed and {blocklist.InReview:N0} wait for review (relaywatch blocklist list --review).")));
        if (blocklist.Changes.Count > 0)
        {
            // What needs an analyst first (review), then the worst listings.
            var shown = blocklist.Changes
                .OrderBy(c => c.Kind == "review" ? 0 : 1)
                .ThenBy(c => Array.IndexOf(SeverityRank, c.Severity) is var rank && rank < 0 ? SeverityRank.Length : rank)
                .ThenBy(c => c.Subject, StringComparer.Ordinal)
                .Take(BlocklistChangesShown)
                .ToList();
            blocks.Add(new Table(
                ["Subject", "Change", "Severity", "Expires", "By", "Why"],
                [.. shown.Select(c => (IReadOnlyList<string>)[c.Subject, c.Kind, c.Severity, c.ExpiresAt is { } e ? e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—", c.ChangedBy, c.Reason])],
                [false, false, false, false, false, false]));
            if (blocklist.Changes.Count > shown.Count)
            {
                blocks.Add(new Paragraph(Invariant($"{blocklist.Changes.Count - shown.Count} more in the JSON report, or: relaywatch blocklist list"), Muted: true));
            }
        }
    }

    private static void Traffic(DailyReport report, List<Block> blocks, Action<string> figure)
    {
        var traffic = report.Traffic;
        blocks.Add(new Heading(2, "5. Traffic and capacity", "traffic"));
        if (traffic.Relays.Count == 0)
        {
            blocks.Add(new Paragraph("No traffic was logged on this day."));
        }
        else
        {
            blocks.Add(new Table(
                ["Relay", "Site", "Messages in", "Messages out", "Bytes", "Sessions", "Peak hour", "Peak minute", "Most sessions at once"],
                [.. traffic.Relays.Select(r => (IReadOnlyList<string>)[
                    r.Name, r.Site, Number(r.MessagesIn), Number(r.MessagesOut), Bytes(r.Bytes), Number(r.Sessions),
                    Invariant($"{r.PeakHour:00}:00 ({r.PeakHourMessages:N0})"),
                    r.PeakMinute is { } m ? Invariant($"{m:HH:mm} ({r.PeakMinuteMessages:N0})") : "—",
                    Number(r.MaxConcurrentSessions)])],
                [false, false, true, true, true, true, true, true, true]));
            if (traffic.Sites.Count > 1)
            {
                blocks.Add(new Table(
                    ["Site", "Relays", "Messages", "Bytes", "Sessions", "Share of inbound sessions"],
                    [.. traffic.Sites.Select(s => (IReadOnlyList<string>)[s.Name, string.Join(", ", s.Relays), Number(s.Messages), Bytes(s.Bytes), Number(s.Sessions), s.InboundShare.ToString("P1", CultureInfo.InvariantCulture)])],
                    [false, false, true, true, true, true]));
            }

            figure("hourly-messages");
            figure("hourly-sessions-by-site");
            var load = traffic.AttackLoad;
            blocks.Add(new Paragraph(Invariant(
                $"Attack load: {load.AttackSessions:N0} of {load.Sessions:N0} sessions ({load.SessionShare:P1}) and {load.AttackRejections:N0} of {load.Rejections:N0} refusals ({load.RejectionShare:P1}) came from the day's attackers — the subjects of its findings and the addresses scored 0.5 or more.")));
        }

        blocks.Add(new Heading(3, "MX failover", "failover"));
        blocks.Add(traffic.Failovers.Count == 0
            ? new Paragraph(traffic.Sites.Count > 1 ? "No failover: the preferred site kept its usual share of inbound sessions all day." : "One site only: there is no other MX to fail over to.")
            : new Table(
                ["From site", "To site", "Start", "End", "Usual share", "Share during", "Sessions moved"],
                [.. traffic.Failovers.Select(f => (IReadOnlyList<string>)[
                    f.FromSite, f.ToSite, Time(f.Start), Time(f.End), f.UsualShare.ToString("P0", CultureInfo.InvariantCulture), f.ShareDuring.ToString("P0", CultureInfo.InvariantCulture), Number(f.SessionsMoved)])],
                [false, false, false, false, true, true, true]));

        blocks.Add(new Heading(3, "Trends and forecast", "trends"));
        if (traffic.Trends.Count == 0)
        {
            blocks.Add(new Paragraph("No history to fit a trend to."));
        }
        else
        {
            blocks.Add(new Table(
                ["Relay", "Days of history", "Growth a day (30 d)", "Growth a day (90 d)", "Busiest hour's share", "Forecast in 28 days", "Capacity / hour", "Capacity reached"],
                [.. traffic.Trends.Select(t => (IReadOnlyList<string>)[
                    t.Relay, Number(t.DaysOfHistory), Growth(t.Growth30), Growth(t.Growth90), t.PeakHourShare.ToString("P1", CultureInfo.InvariantCulture),
                    t.Forecast.Count == 0 ? "—" : Invariant($"{t.Forecast[^1].Messages:N0} a day, busiest hour {t.Forecast[^1].PeakHourMessages:N0}"),
                    t.CapacityMessagesPerHour is { } c ? Number(c) : "not set",
                    t.CapacityReached is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—"])],
                [false, true, true, true, true, true, true, false]));
            blocks.Add(new Bullets([.. traffic.Trends.Select(t => t.Verdict)]));
        }

        figure("daily-trend");
        figure("hour-by-day");
    }

    private static void DataQuality(DailyReport report, List<Block> blocks)
    {
        var quality = report.DataQuality;
        blocks.Add(new Heading(2, "6. Data quality", "data-quality"));
        if (quality.Files.Count > 0)
        {
            blocks.Add(new Table(
                ["File", "Format", "Hosts", "Events on the day", "Lines with events, whole file", "Unrecognised lines", "Skipped", "Repaired"],
                [.. quality.Files.Select(f => (IReadOnlyList<string>)[
                    f.File, f.Format, string.Join(", ", f.Relays), Number(f.EventsOnDay), Number(f.EventLines), Number(f.Unrecognised), Number(f.Skipped), Number(f.Repaired)])],
                [false, false, false, true, true, true, true, true]));
        }
        else
        {
            blocks.Add(new Paragraph("No log file contributed events to this day."));
        }

        blocks.Add(quality.Gaps.Count == 0
            ? new Paragraph("Gaps: no relay went quiet where its usual rate expected events.")
            : new Bullets([.. quality.Gaps.Select(g => Invariant($"{g.Relay} logged nothing from {g.From:HH:mm} to {g.To:HH:mm} ({g.Minutes:0} min, about {g.ExpectedSessions:N0} sessions were due)."))], Alert: true));
        if (quality.ClockSkews.Count > 0)
        {
            blocks.Add(new Table(
                ["Host A", "Host B", "Messages both logged", "Median B − A (s)", "Verdict"],
                [.. quality.ClockSkews.Select(s => (IReadOnlyList<string>)[s.HostA, s.HostB, Number(s.Messages), s.MedianSeconds.ToString("0.0", CultureInfo.InvariantCulture), s.Suspect ? "clock skew" : "in step"])],
                [false, false, true, true, false]));
        }

        foreach (var note in quality.Notes)
        {
            blocks.Add(new Paragraph(note, Muted: true));
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Growth(double? growth) => growth is { } g ? Invariant($"{(g >= 0 ? "+" : string.Empty)}{g * 100:0.00} %") : "—";

    private static string Time(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Change(long today, double baseline) =>
        baseline == 0 ? (today == 0 ? "—" : "new") : Invariant($"{(today - baseline) / baseline:+0%;-0%;0%}");

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => Invariant($"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => Invariant($"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => Invariant($"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => Invariant($"{bytes} B"),
    };
}
