namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>The time at the start of a mainlog line; <paramref name="OffsetMinutes"/> when log_timezone is set, else local time.</summary>
internal readonly record struct EximTimestamp(int Year, int Month, int Day, int Hour, int Minute, int Second, int Microsecond, int? OffsetMinutes);
