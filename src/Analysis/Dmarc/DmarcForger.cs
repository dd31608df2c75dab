namespace RelayWatch.Analysis.Dmarc;

/// <summary>
/// An outside address that other receivers saw sending as our domains and failing DMARC (neither DKIM nor SPF
/// passed aligned), and what our own relays saw of it the same day.
/// </summary>
/// <param name="Messages">What the reports count from it.</param>
/// <param name="RelayEvents">Its events in <c>smtp_events</c> that day; 0 when it never hit our relays.</param>
public sealed record DmarcForger(
    string Ip,
    ulong Messages,
    IReadOnlyList<string> Reporters,
    IReadOnlyList<string> Domains,
    IReadOnlyList<string> Dispositions,
    ulong RelayEvents,
    IReadOnlyList<string> Relays)
{
    /// <summary>Seen from both sides: forging our domains elsewhere and talking to our relays.</summary>
    public bool AlsoHitOurRelays => RelayEvents > 0;
}
