namespace RelayWatch.Reports.Content;

/// <summary>The day at a glance, against the day before and the median of the seven days before.</summary>
/// <param name="Totals">Messages in and out, sessions, recipients, bytes, rejections.</param>
/// <param name="Rejections">Refusals by normalised reason (<c>user_unknown</c>, <c>relay_denied</c>, …).</param>
/// <param name="Findings">Findings per detector and severity, today and the day before.</param>
/// <param name="Callouts">The changes that matter, each in a sentence, most important first.</param>
public sealed record SummarySection(
    IReadOnlyList<SummarySection.Comparison> Totals,
    IReadOnlyList<SummarySection.Comparison> Rejections,
    IReadOnlyList<SummarySection.FindingCount> Findings,
    IReadOnlyList<string> Callouts)
{
    /// <param name="Name">Stable key (<c>messages_in</c>, or the rejection reason).</param>
    /// <param name="Label">What a reader calls it.</param>
    /// <param name="Median7">The median over those of the seven days before that have any events (0 when none has).</param>
    public sealed record Comparison(string Name, string Label, long Today, long PreviousDay, double Median7);

    public sealed record FindingCount(string Detector, string Severity, long Today, long PreviousDay);
}
