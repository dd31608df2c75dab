namespace RelayWatch.Ingest.Syslog;

/// <summary>
/// What precedes the message in a syslog line: when, which host, which program and process.
/// Ranges index into the line the header was read from, so reading it allocates nothing.
/// </summary>
/// <param name="Timestamp">The record's time, converted to UTC.</param>
/// <param name="Pid">The process id in <c>program[pid]</c>, or 0 when absent.</param>
/// <param name="MessageStart">Where the message text begins.</param>
internal readonly record struct SyslogHeader(DateTimeOffset Timestamp, Range Host, Range Program, int Pid, int MessageStart);
