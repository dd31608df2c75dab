namespace RelayWatch.Ingest.Sources;

/// <summary>
/// One line of a log file as read: its text (without the line ending), its number, and where the
/// next line starts (the checkpoint after it). <see cref="Problem"/> says what had to be repaired.
/// </summary>
internal readonly record struct LogLine(string Text, long Number, long EndOffset, LineProblem Problem);
