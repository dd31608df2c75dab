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
}
