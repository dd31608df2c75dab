using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats;

/// <summary>
/// Turns one format's lines into events. A parser keeps correlation state between lines (sessions
/// by process, messages by queue id, keyed by relay), so one instance reads the lines of a run in
/// order, across files (a session may straddle a rotation); it never throws for a bad line.
/// </summary>
internal interface ILogParser
{
    /// <summary>The <c>smtp_events.source</c> value: <c>postfix</c>, <c>sendmail</c>, ….</summary>
    string Source { get; }

    LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber);

    /// <summary>
    /// Events of earlier lines that waited for a later one to name their context (Sendmail logs a
    /// refused recipient before the line that names the client) and are complete now. Their lines were
    /// counted as events when parsed. Parsers that never wait have none.
    /// </summary>
    IReadOnlyList<SmtpEvent> TakeReleased() => [];

    /// <summary>
    /// Every event of <paramref name="file"/>'s lines still waiting, as far as it is known. Ingest takes
    /// them whenever it cuts a batch, so a batch always carries the events of all its lines: what a
    /// committed checkpoint covers is stored whole, and a resumed run waits for nothing from before it.
    /// </summary>
    IReadOnlyList<SmtpEvent> TakeWaiting(string file) => [];
}
