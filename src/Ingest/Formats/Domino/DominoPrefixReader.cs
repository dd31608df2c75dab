namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// <see cref="DominoGrammar.Prefix"/> read without allocating, for every line of a console log (most of
/// which are not about mail and are only skipped). The grammar is the reference: a test checks that both
/// read every line of the corpora and samples alike.
/// </summary>
internal static class DominoPrefixReader
{
    /// <summary>
    /// Reads the prefix. <paramref name="thread"/> is where <c>pid:tid</c> sits in the line (empty when
    /// none was logged); <paramref name="gap"/> counts the spaces between the prefix and the text.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<char> line, out DominoTimestamp stamp, out Range thread, out int bodyStart, out int gap)
    {
        stamp = default;
        thread = default;
        bodyStart = 0;
        gap = 0;
        var at = 0;
        if (TryReadThread(line, 0, out var before, out var end) && end < line.Length && line[end] == ' ')
        {
            thread = before;
            at = end + 1;
        }

        if (!TryReadTimestamp(line, at, out stamp, out at))
        {
            return false;
        }

        // Windows consoles write the thread after the stamp; a thread logged both ways is read once, from before.
        if (at + 1 < line.Length && line[at] == ' ' && TryReadThread(line, at + 1, out var after, out end))
        {
            thread = thread.Equals(default(Range)) ? after : thread;
            at = end;
        }

        var text = at;
        while (text < line.Length && line[text] == ' ')
        {
            text++;
        }

        gap = text - at;
        bodyStart = text;
        return true;
    }

    /// <summary><c>[pid:tid]</c> or <c>[pid:tid-native]</c> at <paramref name="start"/>; <paramref name="pidTid"/> covers <c>pid:tid</c>.</summary>
    private static bool TryReadThread(ReadOnlySpan<char> line, int start, out Range pidTid, out int end)
    {
        pidTid = default;
        end = start;
        if (start >= line.Length || line[start] != '[')
        {
            return false;
        }

        var at = HexRun(line, start + 1);
        if (at == start + 1 || at >= line.Length || line[at] != ':')
        {
            return false;
        }

        var tidEnd = HexRun(line, at + 1);
        if (tidEnd == at + 1 || tidEnd >= line.Length)
        {
            return false;
        }

        var close = tidEnd;
        if (line[close] == '-')
        {
            close = HexRun(line, tidEnd + 1);
            if (close == tidEnd + 1 || close >= line.Length)
            {
                return false;
            }
        }

        if (line[close] != ']')
        {
            return false;
        }

        pidTid = new Range(start + 1, tidEnd);
        end = close + 1;
        return true;
    }

    private static bool TryReadTimestamp(ReadOnlySpan<char> line, int start, out DominoTimestamp stamp, out int end)
    {
        stamp = default;
        end = start;
        if (!Number(line, start, 1, 4, out var first, out var at) || at >= line.Length || line[at] is not ('/' or '.' or '-'))
        {
            return false;
        }

        var firstDigits = at - start;
        var separator = line[at];
        if (!Number(line, at + 1, 1, 2, out var second, out at) || at >= line.Length || line[at] != separator
            || !Number(line, at + 1, 2, 4, out var third, out at) || at >= line.Length || line[at] != ' '
            || !Number(line, at + 1, 1, 2, out var hour, out at) || at >= line.Length || line[at] != ':'
            || !Number(line, at + 1, 2, 2, out var minute, out at) || at >= line.Length || line[at] != ':'
            || !Number(line, at + 1, 2, 2, out var secondOfMinute, out at))
        {
            return false;
        }

        if (at + 1 < line.Length && line[at] is ',' or '.' && char.IsAsciiDigit(line[at + 1]))
        {
            at++;
            while (at < line.Length && char.IsAsciiDigit(line[at]))
            {
                at++;
            }
        }

        if (at + 2 < line.Length && line[at] == ' ' && line[at + 2] == 'M' && line[at + 1] is 'A' or 'P')
        {
            hour = line[at + 1] == 'A' ? (hour == 12 ? 0 : hour) : (hour == 12 ? 12 : hour + 12);
            at += 3;
        }

        stamp = new DominoTimestamp(first, second, third, firstDigits, separator, hour, minute, secondOfMinute);
        end = at;
        return true;
    }

    /// <summary>A run of <paramref name="least"/> to <paramref name="most"/> digits at <paramref name="start"/> (no more may follow).</summary>
    private static bool Number(ReadOnlySpan<char> line, int start, int least, int most, out int value, out int end)
    {
        value = 0;
        end = start;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            value = end - start < 9 ? (value * 10) + (line[end] - '0') : value;
            end++;
        }

        var digits = end - start;
        return digits >= least && digits <= most;
    }

    private static int HexRun(ReadOnlySpan<char> line, int start)
    {
        var at = start;
        while (at < line.Length && char.IsAsciiHexDigit(line[at]))
        {
            at++;
        }

        return at;
    }
}
