namespace RelayWatch.Ingest.Syslog;

/// <summary>
/// Reads a syslog header from a span without allocating: the fast path in front of the grammars.
/// <see cref="SyslogGrammar"/> is the reference it must agree with (a test proves it over the corpora).
/// Accepted stamps: RFC 3164 (<c>Mar  4 00:00:31</c>), RFC 3339 with or without fraction and offset
/// (<c>2023-03-14T00:00:31.185246+01:00</c>, rsyslog high precision), journald short-iso
/// (<c>2023-03-14T00:00:31+0100</c>), each optionally after <c>&lt;PRI&gt;</c>; and RFC 5424
/// (<c>&lt;34&gt;1 2003-10-11T22:14:15.003Z host app procid msgid [sd] message</c>).
/// </summary>
internal static class SyslogHeaderReader
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static bool TryRead(ReadOnlySpan<char> line, TimestampContext context, out SyslogHeader header)
    {
        header = default;
        var position = 0;
        if (line.Length > 0 && line[0] == '<')
        {
            var close = line.IndexOf('>');
            if (close < 2 || close > 4 || !AllDigits(line[1..close]))
            {
                return false;
            }

            position = close + 1;
            if (line.Length > position + 1 && line[position] == '1' && line[position + 1] == ' ')
            {
                return TryReadRfc5424(line, position + 2, context, out header);
            }
        }

        DateTimeOffset timestamp;
        int consumed;
        if (!TryReadIso(line[position..], context, out timestamp, out consumed)
            && !TryReadBsd(line[position..], context, out timestamp, out consumed))
        {
            return false;
        }

        position += consumed;
        if (!Space(line, ref position) || !Word(line, ref position, out var host) || !Space(line, ref position))
        {
            return false;
        }

        return TryReadTag(line, position, timestamp, host, out header);
    }

    /// <summary><c>program[pid]: </c> or <c>program: </c>.</summary>
    private static bool TryReadTag(ReadOnlySpan<char> line, int position, DateTimeOffset timestamp, Range host, out SyslogHeader header)
    {
        header = default;
        var rest = line[position..];
        var end = rest.IndexOfAny('[', ':', ' ');
        if (end <= 0)
        {
            return false;
        }

        var program = new Range(position, position + end);
        var pid = 0;
        var cursor = position + end;
        if (line[cursor] == '[')
        {
            var close = line[cursor..].IndexOf(']');
            if (close < 2 || !int.TryParse(line.Slice(cursor + 1, close - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pid))
            {
                return false;
            }

            cursor += close + 1;
        }

        if (cursor >= line.Length || line[cursor] != ':')
        {
            return false;
        }

        cursor++;
        if (cursor < line.Length && line[cursor] == ' ')
        {
            cursor++;
        }

        header = new SyslogHeader(timestamp, host, program, pid, cursor);
        return true;
    }

    private static bool TryReadRfc5424(ReadOnlySpan<char> line, int position, TimestampContext context, out SyslogHeader header)
    {
        header = default;
        if (!TryReadIso(line[position..], context, out var timestamp, out var consumed))
        {
            return false;
        }

        position += consumed;
        if (!Space(line, ref position) || !Word(line, ref position, out var host) || !Space(line, ref position)
            || !Word(line, ref position, out var app) || !Space(line, ref position)
            || !Word(line, ref position, out var procId) || !Space(line, ref position)
            || !Word(line, ref position, out _) || !Space(line, ref position))
        {
            return false;
        }

        // Structured data: "-" or one or more [id param="value" …] elements.
        if (position < line.Length && line[position] == '-')
        {
            position++;
        }
        else
        {
            while (position < line.Length && line[position] == '[')
            {
                var close = IndexOfUnescapedBracket(line, position + 1);
                if (close < 0)
                {
                    return false;
                }

                position = close + 1;
            }
        }

        if (position < line.Length && line[position] == ' ')
        {
            position++;
        }

        int.TryParse(line[procId], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid);
        header = new SyslogHeader(timestamp, host, app, pid, position);
        return true;
    }

    private static int IndexOfUnescapedBracket(ReadOnlySpan<char> line, int from)
    {
        var inQuotes = false;
        for (var i = from; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    inQuotes = !inQuotes;
                    break;
                case ']' when !inQuotes:
                    return i;
            }
        }

        return -1;
    }

    /// <summary><c>YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM|±HHMM]</c>.</summary>
    internal static bool TryReadIso(ReadOnlySpan<char> text, TimestampContext context, out DateTimeOffset timestamp, out int consumed)
    {
        timestamp = default;
        consumed = 0;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':'
            || !Number(text[..4], out var year) || !Number(text.Slice(5, 2), out var month) || !Number(text.Slice(8, 2), out var day)
            || !Number(text.Slice(11, 2), out var hour) || !Number(text.Slice(14, 2), out var minute) || !Number(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var position = 19;
        if (!TryReadFraction(text, ref position, out var microsecond))
        {
            return false;
        }

        if (!IsValidDate(year, month, day, hour, minute, second))
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(microsecond * 10L);
        if (position < text.Length && text[position] == 'Z')
        {
            timestamp = new DateTimeOffset(local, TimeSpan.Zero);
            consumed = position + 1;
            return true;
        }

        if (position < text.Length && (text[position] == '+' || text[position] == '-'))
        {
            var sign = text[position] == '-' ? -1 : 1;
            var offsetText = text[(position + 1)..];
            int offsetHours, offsetMinutes, length;
            if (offsetText.Length >= 5 && offsetText[2] == ':' && Number(offsetText[..2], out offsetHours) && Number(offsetText.Slice(3, 2), out offsetMinutes))
            {
                length = 5;
            }
            else if (offsetText.Length >= 4 && Number(offsetText[..2], out offsetHours) && Number(offsetText.Slice(2, 2), out offsetMinutes))
            {
                length = 4;
            }
            else
            {
                return false;
            }

            if (offsetHours > 14 || offsetMinutes > 59)
            {
                return false;
            }

            timestamp = new DateTimeOffset(local, sign * new TimeSpan(offsetHours, offsetMinutes, 0)).ToUniversalTime();
            consumed = position + 1 + length;
            return true;
        }

        timestamp = context.FromLocal(year, month, day, hour, minute, second, microsecond);
        consumed = position;
        return true;
    }

    /// <summary><c>Mmm dd HH:MM:SS</c>, the day padded with a space or a zero.</summary>
    internal static bool TryReadBsd(ReadOnlySpan<char> text, TimestampContext context, out DateTimeOffset timestamp, out int consumed)
    {
        timestamp = default;
        consumed = 0;
        if (text.Length < 15 || text[3] != ' ' || text[6] != ' ' || text[9] != ':' || text[12] != ':')
        {
            return false;
        }

        var month = MonthNumber(text[..3]);
        var dayText = text.Slice(4, 2);
        if (dayText[0] == ' ')
        {
            dayText = dayText[1..];
        }

        if (month == 0 || !Number(dayText, out var day) || !Number(text.Slice(7, 2), out var hour)
            || !Number(text.Slice(10, 2), out var minute) || !Number(text.Slice(13, 2), out var second)
            || !IsValidDate(2000, month, day, hour, minute, second))
        {
            return false;
        }

        var position = 15;
        if (!TryReadFraction(text, ref position, out var microsecond))
        {
            return false;
        }

        var year = month > context.LatestMonth ? context.Year - 1 : context.Year;
        if (month == 2 && day == 29 && !DateTime.IsLeapYear(year))
        {
            return false;
        }

        timestamp = context.FromLocal(year, month, day, hour, minute, second, microsecond);
        consumed = position;
        return true;
    }

    /// <summary>An optional <c>.f…</c> after the seconds, as microseconds (digits past six are read and dropped).</summary>
    private static bool TryReadFraction(ReadOnlySpan<char> text, ref int position, out int microsecond)
    {
        microsecond = 0;
        if (position >= text.Length || text[position] != '.')
        {
            return true;
        }

        var start = ++position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            if (position - start < 6)
            {
                microsecond = (microsecond * 10) + (text[position] - '0');
            }

            position++;
        }

        for (var digits = Math.Min(position - start, 6); digits < 6; digits++)
        {
            microsecond *= 10;
        }

        return position > start;
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

    private static bool IsValidDate(int year, int month, int day, int hour, int minute, int second) =>
        year is >= 1970 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
        && hour < 24 && minute < 60 && second < 60;

    private static bool Number(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static bool AllDigits(ReadOnlySpan<char> text) => Number(text, out _);

    private static bool Space(ReadOnlySpan<char> line, ref int position)
    {
        if (position >= line.Length || line[position] != ' ')
        {
            return false;
        }

        position++;
        return true;
    }

    private static bool Word(ReadOnlySpan<char> line, ref int position, out Range word)
    {
        var length = line[position..].IndexOf(' ');
        if (length <= 0)
        {
            word = default;
            return false;
        }

        word = new Range(position, position + length);
        position += length;
        return true;
    }
}
