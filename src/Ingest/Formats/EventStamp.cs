using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats;

/// <summary>
/// What every event of one line shares, whatever the format: when it happened, which relay wrote it,
/// which parser read it, and its lineage (file and line number). Parsers build their events from it
/// so no format forgets a column or stamps it differently.
/// </summary>
internal readonly record struct EventStamp(DateTimeOffset Timestamp, string Relay, string Source, string File, long Line)
{
    /// <summary>A new event of this line, stamped; the format sets the rest with <c>with</c>/initialisers on the result.</summary>
    public SmtpEvent Event(string name) => new(this, name);
}
