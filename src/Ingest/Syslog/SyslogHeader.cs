namespace RelayWatch.Ingest.Syslog;

/// <summary>
/// What precedes the message in a syslog line: when, which host, which program and process.
/// Ranges index into the line the header was read from, so reading it allocates nothing.
/// </summary>
/// <param name="Timestamp">The record's time, converted to UTC.</param>
/// <param name="Host">The logging host's name; empty when the line names none.</param>
/// <param name="Pid">The process id in <c>program[pid]</c>, or 0 when absent.</param>
/// <param name="MessageStart">Where the message text begins.</param>
internal readonly record struct SyslogHeader(DateTimeOffset Timestamp, Range Host, Range Program, int Pid, int MessageStart)
{
    /// <summary>Whether the line names its host (some syslog daemons leave it out, RFC 5424 may write <c>-</c>).</summary>
    public bool HasHost => !Host.Start.Equals(Host.End);
}
