namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>What a console log's first lines tell before any is parsed: that it is one, and its date order.</summary>
internal static class DominoConsole
{
    /// <summary>Whether a line looks like a Domino console line (a Domino stamp, then a thread or the wide gap Domino leaves), for format detection.</summary>
    public static bool LooksLikeConsole(string line) =>
        DominoPrefixReader.TryRead(line, out _, out var thread, out var bodyStart, out var gap)
        && bodyStart < line.Length && (gap >= 2 || !thread.Equals(default(Range)));

    /// <summary>
    /// The date order of a console log, judged by its first lines: the order their numbers prove (a
    /// four-digit year first, or a day above 12), by majority; when none proves one, the order its
    /// separator implies (<see cref="DefaultOrder"/>) — certain for dotted dates, which are day-first
    /// wherever they are written, and a guess for slashed and dashed ones, with <paramref name="proven"/>
    /// false. Null when no line has a Domino stamp.
    /// </summary>
    public static DateOrder? DetectDateOrder(IEnumerable<string> firstLines, out bool proven)
    {
        var votes = new int[3];
        char? separator = null;
        foreach (var line in firstLines)
        {
            if (DominoPrefixReader.TryRead(line, out var stamp, out _, out _, out _))
            {
                separator ??= stamp.Separator;
                if (stamp.ProvenOrder is { } order)
                {
                    votes[(int)order]++;
                }
            }
        }

        // Dotted dates that do not start with a four-digit year are day-first wherever they are written.
        proven = votes.Any(v => v > 0) || separator == '.';
        return votes.Any(v => v > 0) ? (DateOrder)Array.IndexOf(votes, votes.Max()) : separator is { } written ? DefaultOrder(written) : null;
    }

    /// <summary>The date order a dated line implies by its separator when its numbers prove none: dotted dates are day-first, slashed and dashed ones month-first (Domino's US default).</summary>
    public static DateOrder DefaultOrder(char separator) => separator == '.' ? DateOrder.DayMonthYear : DateOrder.MonthDayYear;

    /// <summary>
    /// The stamp's time in the file's date order (else what its numbers prove, else its separator's); null for an
    /// impossible date. A four-digit first number is a year whatever the file's order: a console whose server's
    /// date settings changed writes <c>2016-11-07</c> after <c>22-06-2014</c>, and the day-first order of the
    /// older lines says nothing about it.
    /// </summary>
    public static DateTimeOffset? Timestamp(DominoTimestamp stamp, Syslog.TimestampContext timestamps)
    {
        var order = stamp.FirstDigits == 4 ? DateOrder.YearMonthDay : timestamps.DateOrder ?? stamp.ProvenOrder ?? DefaultOrder(stamp.Separator);
        var (year, month, day) = stamp.Date(order);
        try
        {
            return timestamps.FromLocal(year, month, day, stamp.Hour, stamp.Minute, stamp.Second24, 0);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
