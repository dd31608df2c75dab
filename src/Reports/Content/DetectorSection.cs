namespace RelayWatch.Reports.Content;

/// <summary>One detector's findings of the day, worst first, and what stopped since the day before.</summary>
/// <param name="Title">The detector in words.</param>
/// <param name="Count">All of its findings of the day (<see cref="Top"/> shows the first few).</param>
/// <param name="New">Findings whose subject it did not name in the seven days before.</param>
/// <param name="Gone">Subjects it named the day before and not today.</param>
/// <param name="Advice">What the operator can do about today's findings, where there is something general to say (a backscatter wave, a compromised account); empty otherwise.</param>
/// <param name="Waves">The day's backscatter waves hour by hour (the <c>wave</c> rule's <c>hourly</c> evidence), drawn as a timeline each; empty for other detectors.</param>
public sealed record DetectorSection(
    string Detector,
    string Title,
    int Count,
    int New,
    int Continuing,
    IReadOnlyList<DetectorSection.Item> Top,
    IReadOnlyList<string> Gone,
    IReadOnlyList<string> Advice,
    IReadOnlyList<DetectorSection.Wave> Waves)
{
    /// <param name="Domain">The domain of ours the wave targeted (the finding's subject).</param>
    /// <param name="Hours">Each hour (UTC) with bounces, in order: refused at RCPT and accepted.</param>
    public sealed record Wave(string Domain, IReadOnlyList<WaveHour> Hours);

    public sealed record WaveHour(DateTime Hour, long Refused, long Accepted);

    /// <param name="Findings">How many findings the item stands for: 1, or the bots of one campaign.</param>
    /// <param name="Status"><c>new</c>, or <c>continuing</c> when the detector named the subject in the seven days before.</param>
    /// <param name="Explanation">Why, in a sentence (as <c>relaywatch detect</c> prints it).</param>
    /// <param name="Evidence">The lists an analyst checks: member IPs, exposed mailboxes, probe types, forged senders, bounced-to addresses.</param>
    /// <param name="Blocklist">The subject's blocklist state when the report was made (<c>listed</c>, <c>review</c>, …), or <c>none</c>.</param>
    public sealed record Item(
        string Subject, int Findings, string Severity, double Score, DateTime FirstSeen, DateTime LastSeen, long Events,
        string Status, string Explanation, IReadOnlyList<EvidenceList> Evidence, string Blocklist);

    /// <param name="Label">What the values are.</param>
    /// <param name="Values">The first ten, as logged (control characters replaced, each cut at 100 characters).</param>
    /// <param name="Total">How many the evidence holds.</param>
    public sealed record EvidenceList(string Label, IReadOnlyList<string> Values, int Total);
}
