namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// The prefix of a mail_logs line — the appliance's own ctime stamp, or a syslog stamp with its optional
/// priority, host and log name — then the level, read with spans. <see cref="IronportGrammar.Prefix"/> is the
/// reference: a test checks that both read the corpora, the sample and thousands of damaged copies alike.
/// </summary>
internal static class IronportPrefixReader
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// The prefix of <paramref name="line"/>, without allocating on the hot path (bar the level and names, interned).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<char> line, out IronportPrefix prefix)
    {
        prefix = default;
        var at = 0;
        if (line.Length > 0 && line[0] == '<')
        {
            at = 1;
            while (at < line.Length && char.IsAsciiDigit(line[at]))
            {
                at++;
            }

            if (at == 1 || at >= line.Length || line[at] != '>')
            {
                return false;
            }

            at++;
        }
        else if (TryReadCTime(line, out var year, out var month, out var day, out var hour, out var minute, out var second)
            && line.Length > 24 && line[24] == ' ' && TryReadLevel(line, 25, out var ctimeLevel, out var ctimeText))
        {
            prefix = new IronportPrefix(year, month, day, hour, minute, second, string.Empty, string.Empty, ctimeLevel, ctimeText);
            return true;
        }

        if (!TryReadMonthDayTime(line, at, out var m, out var d, out var h, out var mi, out var s) || at + 15 >= line.Length || line[at + 15] != ' ')
        {
            return false;
        }

        at += 16;
        var first = WordEnd(line, at);
        if (first == at || first >= line.Length)
        {
            return false;
        }

        string host, logName;
        if (line[first..].StartsWith(": "))
        {
            (host, logName, at) = (string.Empty, line[at..first].ToString(), first + 2);
        }
        else if (line[first] == ' ' && WordEnd(line, first + 1) is var second2 && second2 > first + 1 && line[second2..].StartsWith(": "))
        {
            (host, logName, at) = (line[at..first].ToString(), line[(first + 1)..second2].ToString(), second2 + 2);
        }
        else
        {
            return false;
        }

        if (!TryReadLevel(line, at, out var level, out var text))
        {
            return false;
        }

        prefix = new IronportPrefix(0, m, d, h, mi, s, host, logName, level, text);
        return true;
    }

    /// <summary>The end of a run of characters that are neither space nor colon.</summary>
    private static int WordEnd(ReadOnlySpan<char> line, int start)
    {
        var end = start;
        while (end < line.Length && line[end] != ' ' && line[end] != ':')
        {
            end++;
        }

        return end;
    }

    private static bool TryReadLevel(ReadOnlySpan<char> line, int start, out string level, out int textStart)
    {
        var end = start;
        while (end < line.Length && char.IsAsciiLetter(line[end]))
        {
            end++;
        }

        level = end == start ? string.Empty : line[start..end] switch
        {
            "Info" => "Info",
            "Warning" => "Warning",
            "Critical" => "Critical",
            "Debug" => "Debug",
            var other => other.ToString(),
        };
        textStart = end + 2;
        return end > start && line[end..].StartsWith(": ");
    }

    /// <summary><c>Www Mmm dd HH:MM:SS YYYY</c> at the start of the line.</summary>
    private static bool TryReadCTime(ReadOnlySpan<char> line, out int year, out int month, out int day, out int hour, out int minute, out int second)
    {
        (year, month, day, hour, minute, second) = (0, 0, 0, 0, 0, 0);
        return line.Length >= 24 && char.IsAsciiLetter(line[0]) && char.IsAsciiLetter(line[1]) && char.IsAsciiLetter(line[2]) && line[3] == ' '
            && TryReadMonthDayTime(line, 4, out month, out day, out hour, out minute, out second)
            && line[19] == ' ' && Digits(line.Slice(20, 4), out year);
    }

    /// <summary><c>Mmm dd HH:MM:SS</c> at <paramref name="at"/>, the day two digits or a space and one.</summary>
    private static bool TryReadMonthDayTime(ReadOnlySpan<char> line, int at, out int month, out int day, out int hour, out int minute, out int second)
    {
        (month, day, hour, minute, second) = (0, 0, 0, 0, 0);
        if (line.Length < at + 15 || line[at + 3] != ' ' || line[at + 6] != ' ' || line[at + 9] != ':' || line[at + 12] != ':')
        {
            return false;
        }

        month = MonthNumber(line.Slice(at, 3));
        var dayText = line[at + 4] == ' ' ? line.Slice(at + 5, 1) : line.Slice(at + 4, 2);
        return month > 0 && Digits(dayText, out day) && Digits(line.Slice(at + 7, 2), out hour) && Digits(line.Slice(at + 10, 2), out minute) && Digits(line.Slice(at + 13, 2), out second);
    }

    private static int MonthNumber(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Months.Length; i++)
        {
            if (name.SequenceEqual(Months[i]))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return text.Length > 0;
    }
}
