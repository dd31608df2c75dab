namespace RelayWatch.Ingest.Formats;

/// <summary>
/// Turns one format's lines into events. A parser keeps correlation state between lines (sessions
/// by process, messages by queue id), so one instance reads one stream of lines in order; it never
/// throws for a bad line.
/// </summary>
internal interface ILogParser
{
    /// <summary>The <c>smtp_events.source</c> value: <c>postfix</c>, <c>sendmail</c>, ….</summary>
    string Source { get; }

    LineResult Parse(ReadOnlySpan<char> line, long lineNumber);
}
