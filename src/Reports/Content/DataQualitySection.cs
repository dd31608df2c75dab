namespace RelayWatch.Reports.Content;

/// <summary>Can the day's numbers be trusted: what was parsed, what was not, where logs went quiet, whose clock is off.</summary>
/// <param name="Files">Each log file with events on the day.</param>
/// <param name="Gaps">Silences in a relay's log where its usual rate would have opened at least 20 sessions.</param>
/// <param name="ClockSkews">Per pair of hosts that logged the same messages, the median time between them.</param>
public sealed record DataQualitySection(
    IReadOnlyList<DataQualitySection.SourceFile> Files,
    IReadOnlyList<DataQualitySection.Gap> Gaps,
    IReadOnlyList<DataQualitySection.Skew> ClockSkews,
    IReadOnlyList<string> Notes)
{
    /// <param name="EventsOnDay">Event rows the file contributed to the day.</param>
    /// <param name="EventLines">Lines of the whole file so far that gave events (a line naming several recipients gives a row each, so this can be below <paramref name="EventsOnDay"/>).</param>
    /// <param name="Unrecognised">Lines of the whole file no grammar recognised (samples in <c>ingest_errors</c>).</param>
    /// <param name="Skipped">Lines recognised but carrying nothing the schema keeps.</param>
    /// <param name="Repaired">Lines ingest had to repair (bad UTF-8, NUL bytes, over-long).</param>
    public sealed record SourceFile(string File, string Format, IReadOnlyList<string> Relays, long EventsOnDay, long EventLines, long Unrecognised, long Skipped, long Repaired);

    /// <param name="ExpectedSessions">The sessions the relay's usual rate for those hours would have opened.</param>
    public sealed record Gap(string Relay, DateTime From, DateTime To, double Minutes, double ExpectedSessions);

    /// <param name="MedianSeconds">Median of (time <paramref name="HostB"/> logged a message − time <paramref name="HostA"/> logged it) over the messages both logged.</param>
    /// <param name="Suspect">A hop takes seconds: a median over a minute either way means a clock is off.</param>
    public sealed record Skew(string HostA, string HostB, long Messages, double MedianSeconds, bool Suspect);
}
