namespace RelayWatch.Ingest.Sources;

/// <summary>What the reader had to repair in a line before handing it on; the line is never dropped for it.</summary>
[Flags]
internal enum LineProblem
{
    None = 0,

    /// <summary>Bytes that are not UTF-8, replaced by U+FFFD.</summary>
    InvalidUtf8 = 1,

    /// <summary>NUL bytes, replaced by U+FFFD (syslog writers leave runs of them after a crash).</summary>
    NulBytes = 2,

    /// <summary>Longer than <see cref="LineReader.MaxLineBytes"/>; the rest up to the newline was dropped.</summary>
    TooLong = 4,

    /// <summary>The file ended without a newline after this line.</summary>
    Unterminated = 8,
}
