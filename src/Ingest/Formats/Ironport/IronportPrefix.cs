namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// What precedes the text of a mail_logs line: the stamp as written (a ctime with its year, or a syslog
/// stamp without one), the host when syslog names it, the log's name when it came through syslog, and the
/// level (<c>Info</c>, <c>Warning</c>, …).
/// </summary>
/// <param name="Year">The stamp's year; 0 when the stamp has none (syslog) and the file's year applies.</param>
internal readonly record struct IronportPrefix(int Year, int Month, int Day, int Hour, int Minute, int Second, string Host, string LogName, string Level, int TextStart);
