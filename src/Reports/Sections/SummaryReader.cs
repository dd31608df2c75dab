using System.Globalization;
using RelayWatch.Analysis.Detection;
using RelayWatch.Reports.Content;
using RelayWatch.Store;
using static System.FormattableString;

namespace RelayWatch.Reports.Sections;

/// <summary>Reads the summary: the day's totals, refusals and findings against the day before and the week's median.</summary>
internal static class SummaryReader
{
    private static readonly (string Name, string Label)[] TotalNames =
    [
        ("messages_in", "Messages in"), ("messages_out", "Messages out"), ("sessions", "SMTP sessions"),
        ("delivered", "Recipients delivered"), ("bytes", "Bytes accepted"), ("rejections", "Refusals"), ("bounces", "Bounces"),
    ];

    private static readonly string[] SeverityOrder = ["critical", "high", "medium", "low", "info"];

    public static async Task<(SummarySection Summary, bool HasData)> ReadAsync(ReportContext context, IReadOnlyList<DetectorSection> detectors, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters;
        var totals = await context.Store.QueryListAsync(
            $"""
            SELECT toDate(ts) AS d,
                   countIf(event = 'message' AND NOT {Sql.ClientIsInternal}),
                   countIf(event = 'message' AND {Sql.ClientIsInternal}),
                   countIf(event = 'connect'),
                   countIf(event = 'delivery'),
                   sumIf(size, event = 'message'),
                   countIf(event IN ('rcpt_reject', 'reject')),
                   countIf(event = 'bounce')
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {"{week_start:Date}"} AND {"{day:Date}"} AND {Sql.AtEdge}
            GROUP BY d
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        var byDay = totals.ToDictionary(r => Values.Day(r[0]), r => r.Skip(1).Select(Values.Long).ToArray());
        // The week's median is over the days before that have any events: a store with three days of
        // history compares with those three, not with four zeros.
        var history = byDay.Keys.Where(d => d < context.Day).ToHashSet();
        var comparisons = TotalNames.Select((t, i) => Compare(context.Day, history, t.Name, t.Label, d => byDay.TryGetValue(d, out var row) ? row[i] : 0)).ToList();

        var refusals = await context.Store.QueryListAsync(
            $$"""
            SELECT toDate(ts) AS d, if(reason = '', 'other', reason) AS r, count()
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {week_start:Date} AND {day:Date} AND event IN ('rcpt_reject', 'reject') AND {{Sql.AtEdge}}
            GROUP BY d, r
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        var refusalCounts = refusals.ToDictionary(r => (Values.Day(r[0]), r[1]), r => Values.Long(r[2]));
        var reasons = refusalCounts.Keys.Select(k => k.Item2).Distinct(StringComparer.Ordinal);
        var rejections = reasons
            .Select(reason => Compare(context.Day, history, reason, ReasonLabel(reason), d => refusalCounts.GetValueOrDefault((d, reason))))
            .OrderByDescending(c => c.Today).ThenByDescending(c => c.Median7).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();

        var findingRows = await context.Store.QueryListAsync(
            """
            SELECT detector, severity, countIf(day = {day:Date}), countIf(day = {previous:Date})
            FROM findings
            WHERE day IN ({previous:Date}, {day:Date})
            GROUP BY detector, severity
            """,
            parameters, cancellationToken).ConfigureAwait(false);
        var findings = findingRows
            .Select(r => new SummarySection.FindingCount(r[0], r[1], Values.Long(r[2]), Values.Long(r[3])))
            .OrderBy(f => f.Detector, StringComparer.Ordinal).ThenBy(f => Array.IndexOf(SeverityOrder, f.Severity))
            .ToList();

        var hasData = byDay.ContainsKey(context.Day);
        var summary = new SummarySection(comparisons, rejections, findings, Callouts(hasData, history.Count > 0, comparisons, rejections, detectors));
        return (summary, hasData);
    }

    public static string ReasonLabel(string reason) => reason switch
    {
        "user_unknown" => "Unknown recipient",
        "relay_denied" => "Relay denied",
        "rbl" => "DNS blocklist",
        "sender_rejected" => "Sender refused",
        "helo_rejected" => "HELO refused",
        "client_rejected" => "Client refused",
        "policy" => "Policy",
        _ => "Other",
    };

    private static SummarySection.Comparison Compare(DateOnly day, IReadOnlySet<DateOnly> history, string name, string label, Func<DateOnly, long> count) =>
        new(name, label, count(day), count(day.AddDays(-1)), Values.Median(history.Select(d => (double)count(d))));

    /// <summary>The changes a reader should not miss, in words: critical findings first, then what moved most against the week.</summary>
    private static List<string> Callouts(bool hasData, bool hasHistory, IReadOnlyList<SummarySection.Comparison> totals, IReadOnlyList<SummarySection.Comparison> rejections, IReadOnlyList<DetectorSection> detectors)
    {
        var callouts = new List<string>();
        if (!hasData)
        {
            callouts.Add("No events were logged for this day: either the relays were down or their logs have not been ingested.");
            return callouts;
        }

        foreach (var section in detectors)
        {
            foreach (var item in section.Top.Where(i => i.Severity == "critical"))
            {
                callouts.Add(Invariant($"Critical: {section.Title.ToLowerInvariant()} by {item.Subject} — {item.Explanation}."));
            }
        }

        foreach (var section in detectors.Where(s => s.New > 0))
        {
            callouts.Add(Invariant($"{section.Title}: {section.New} new finding(s){(section.Continuing > 0 ? $", {section.Continuing} continuing" : string.Empty)}."));
        }

        if (!hasHistory)
        {
            callouts.Add("The week before has no events to compare with: the counts below stand alone.");
            return callouts;
        }

        foreach (var change in totals.Concat(rejections).Select(c => (Comparison: c, Sentence: Movement(c))).Where(m => m.Sentence is not null))
        {
            callouts.Add(change.Sentence!);
        }

        return callouts;
    }

    /// <summary>A sentence when a count moved by half or more against the week's median and by at least 20.</summary>
    private static string? Movement(SummarySection.Comparison c)
    {
        var baseline = c.Median7;
        var difference = c.Today - baseline;
        if (Math.Abs(difference) < 20 || (baseline > 0 && Math.Abs(difference) < baseline * 0.5) || c.Name == "bytes")
        {
            return null;
        }

        var label = c.Label.ToLowerInvariant();
        if (baseline == 0)
        {
            return Invariant($"{c.Label}: {c.Today:N0} today, none in the week before.");
        }

        return difference > 0
            ? Invariant($"{c.Label} rose to {c.Today:N0}, {c.Today / baseline:0.#}× the week's median of {baseline:N0}.")
            : Invariant($"{c.Label} fell to {c.Today:N0}, from a week's median of {baseline:N0} ({label} down {-difference / baseline:P0}).");
    }
}
