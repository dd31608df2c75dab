namespace RelayWatch.Ingest.Syslog;

/// <summary>A syslog header as <see cref="SyslogGrammar"/> reads it, with its parts as strings.</summary>
internal sealed record SyslogHeaderText(DateTimeOffset Timestamp, string Host, string Program, int Pid, string Message);
