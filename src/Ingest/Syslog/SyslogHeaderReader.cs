namespace RelayWatch.Ingest.Syslog;

/// <summary>
/// Reads a syslog header from a span without allocating: the fast path in front of the grammars.
/// <see cref="SyslogGrammar"/> is the reference it must agree with (a test proves it over the corpora
/// and over one line of every accepted shape). Files mix these shapes after a daemon change, so each
/// line is read for itself. Accepted, each optionally after <c>&lt;PRI&gt;</c>:
/// <list type="bullet">
/// <item>RFC 3164 stamps with the day padded by a space or a zero, or not padded (<c>Mar  7</c>, <c>Mar 07</c>, <c>Mar 7</c>);</item>
/// <item>RFC 3339 stamps with or without fraction and offset (<c>2023-03-14T00:00:31.185246+01:00</c>, rsyslog high
/// precision; <c>2023-03-14T00:00:31+0100</c>, journald short-iso);</item>
/// <item>a facility and priority after the stamp, as FreeBSD's <c>syslogd -v</c> writes them (<c>&lt;mail.notice&gt;</c>, <c>&lt;22&gt;</c>, <c>&lt;2.5&gt;</c>);</item>
/// <item>no host name (<c>Mar  7 02:09:33 postfix/smtpd[123]: …</c>): a first word that is a whole tag is the tag;</item>
/// <item>RFC 5424 (<c>&lt;34&gt;1 2003-10-11T22:14:15.003Z host app procid msgid [sd] message</c>, <c>-</c> for nil values);</item>
/// <item>after the tag, Solaris syslogd's message id (<c>[ID 197553 mail.info] </c>), skipped;</item>
/// <item>after the tag, the program's own date (Exim's default <c>syslog_timestamp</c>:
/// <c>host exim[12]: 2021-07-17 23:20:49 [+0200] [[pid]] …</c>): it has a year, so it is the line's time.</item>
/// </list>
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

        if (!TryReadIso(line[position..], context, out var timestamp, out var consumed)
            && !TryReadBsd(line[position..], context, out timestamp, out consumed))
        {
            return false;
        }

        position += consumed;
        if (!Space(line, ref position))
        {
            return false;
        }

        if (TryReadFacilityTag(line, position, out var afterFacility))
        {
            position = afterFacility;
        }

        // No host name: the first word is a whole tag, followed by a space or the end of the line.
        // A host name never is one (an IPv6 literal such as 2001:db8:: has no space after its first colon).
        if (TryReadTag(line, position, out var program, out var pid, out var messageStart, wholeWord: true))
        {
            header = WithProgramDate(line, new SyslogHeader(timestamp, new Range(position, position), program, pid, AfterSolarisMessageId(line, messageStart)), context);
            return true;
        }

        if (!Word(line, ref position, out var host) || !Space(line, ref position)
            || !TryReadTag(line, position, out program, out pid, out messageStart, wholeWord: false))
        {
            return false;
        }

        header = WithProgramDate(line, new SyslogHeader(timestamp, host, program, pid, AfterSolarisMessageId(line, messageStart)), context);
        return true;
    }

    /// <summary>
    /// Where the message starts after Solaris syslogd's message id (<c>[ID 197553 mail.info] </c>: digits, a space,
    /// facility and level joined by a dot, then a space or the end), or <paramref name="position"/> when none is there.
    /// </summary>
    private static int AfterSolarisMessageId(ReadOnlySpan<char> line, int position)
    {
        var text = line[position..];
        if (!text.StartsWith("[ID "))
        {
            return position;
        }

        var close = text.IndexOf(']');
        if (close < 0)
        {
            return position;
        }

        var inside = text[4..close];
        var space = inside.IndexOf(' ');
        var dot = inside.IndexOf('.');
        if (space <= 0 || dot < space + 2 || dot == inside.Length - 1 || !AllDigits(inside[..space])
            || !AllLettersOrDigits(inside[(space + 1)..dot]) || !AllLettersOrDigits(inside[(dot + 1)..]))
        {
            return position;
        }

        var after = position + close + 1;
        return after == line.Length ? after : line[after] == ' ' ? after + 1 : position;
    }

    /// <summary>
    /// <c>&lt;mail.notice&gt; </c>, <c>&lt;22&gt; </c> or <c>&lt;2.5&gt; </c> after the stamp: FreeBSD syslogd's <c>-v</c>
    /// and <c>-vv</c>. Letters and digits, one optional dot inside, then a space.
    /// </summary>
    private static bool TryReadFacilityTag(ReadOnlySpan<char> line, int position, out int after)
    {
        after = position;
        if (position >= line.Length || line[position] != '<')
        {
            return false;
        }

        var close = line[position..].IndexOf('>');
        if (close < 2)
        {
            return false;
        }

        var inside = line.Slice(position + 1, close - 1);
        var dot = inside.IndexOf('.');
        if (!AllLettersOrDigits(dot < 0 ? inside : inside[..dot]) || (dot >= 0 && !AllLettersOrDigits(inside[(dot + 1)..])))
        {
            return false;
        }

        after = position + close + 1;
        return Space(line, ref after);
    }

    /// <summary>
    /// <c>program[pid]: </c> or <c>program: </c>. As the line's first word (<paramref name="wholeWord"/>, no host
    /// before it) the colon must end the word; after a host the space is optional, as syslog daemons differ.
    /// </summary>
    private static bool TryReadTag(ReadOnlySpan<char> line, int position, out Range program, out int pid, out int messageStart, bool wholeWord)
    {
        program = default;
        pid = 0;
        messageStart = 0;
        var rest = line[position..];
        var end = rest.IndexOfAny('[', ':', ' ');
        if (end <= 0)
        {
            return false;
        }

        program = new Range(position, position + end);
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
        else if (wholeWord && cursor < line.Length)
        {
            return false;
        }

        messageStart = cursor;
        return true;
    }

    /// <summary>
    /// The program's own date at the start of the message (Exim through syslog: <c>2021-07-17 23:20:49 [+0200] [[pid]] </c>),
    /// read and skipped: it has a year and a zone where the syslog stamp may have neither, so it is the line's time.
    /// </summary>
    private static SyslogHeader WithProgramDate(ReadOnlySpan<char> line, SyslogHeader header, TimestampContext context)
    {
        var text = line[header.MessageStart..];
        if (!TryReadIsoParts(text, out var local, out var offset, out var position))
        {
            return header;
        }

        // Exim's log_timezone writes the offset after a space: "2021-07-17 23:20:49 +0200".
        if (offset is null && position + 5 < text.Length && text[position] == ' ' && text[position + 1] is '+' or '-'
            && Number(text.Slice(position + 2, 2), out var offsetHours) && Number(text.Slice(position + 4, 2), out var offsetMinutes)
            && offsetHours <= 14 && offsetMinutes <= 59 && (position + 6 == text.Length || text[position + 6] == ' '))
        {
            offset = (text[position + 1] == '-' ? -1 : 1) * new TimeSpan(offsetHours, offsetMinutes, 0);
            position += 6;
        }

        if (position < text.Length && text[position] != ' ')
        {
            return header;
        }

        position += position < text.Length ? 1 : 0;

        // Exim's log_selector +pid: "[1234] ".
        if (position + 2 < text.Length && text[position] == '[' && char.IsAsciiDigit(text[position + 1]))
        {
            var close = text[position..].IndexOf(']');
            if (close > 1 && AllDigits(text.Slice(position + 1, close - 1)) && (position + close + 1 == text.Length || text[position + close + 1] == ' '))
            {
                position += close + 1 + (position + close + 1 < text.Length ? 1 : 0);
            }
        }

        var timestamp = offset is { } zone ? new DateTimeOffset(local, zone).ToUniversalTime() : context.FromLocal(local);
        return header with { Timestamp = timestamp, MessageStart = header.MessageStart + position };
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

        // RFC 5424 marks a UTF-8 message with a byte-order mark.
        if (position < line.Length && line[position] == '\uFEFF')
        {
            position++;
        }

        // "-" is the nil value: no host name.
        if (line[host].SequenceEqual("-"))
        {
            host = new Range(host.Start, host.Start);
        }

        int.TryParse(line[procId], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid);
        header = WithProgramDate(line, new SyslogHeader(timestamp, host, app, pid, position), context);
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
        if (!TryReadIsoParts(text, out var local, out var offset, out consumed))
        {
            return false;
        }

        timestamp = offset is { } zone ? new DateTimeOffset(local, zone).ToUniversalTime() : context.FromLocal(local);
        return true;
    }

    /// <summary>An ISO 8601 stamp's wall-clock time and its offset, when it has one attached.</summary>
    private static bool TryReadIsoParts(ReadOnlySpan<char> text, out DateTime local, out TimeSpan? offset, out int consumed)
    {
        local = default;
        offset = null;
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

        local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(microsecond * 10L);
        if (position < text.Length && text[position] == 'Z')
        {
            offset = TimeSpan.Zero;
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

            offset = sign * new TimeSpan(offsetHours, offsetMinutes, 0);
            consumed = position + 1 + length;
            return true;
        }

        consumed = position;
        return true;
    }

    /// <summary><c>Mmm dd HH:MM:SS</c>, the day padded with a space or a zero, or not padded (<c>Mar 7</c>).</summary>
    internal static bool TryReadBsd(ReadOnlySpan<char> text, TimestampContext context, out DateTimeOffset timestamp, out int consumed)
    {
        timestamp = default;
        consumed = 0;
        if (text.Length < 14 || text[3] != ' ')
        {
            return false;
        }

        var month = MonthNumber(text[..3]);
        // The day: " 7", "07", "17", or "7" alone; the clock starts after the space that ends it.
        int dayStart = text[4] == ' ' ? 5 : 4, dayEnd = dayStart;
        while (dayEnd < text.Length && dayEnd - dayStart < 2 && char.IsAsciiDigit(text[dayEnd]))
        {
            dayEnd++;
        }

        if (dayEnd == dayStart || (dayStart == 5 && dayEnd != 6))
        {
            return false;
        }

        var clock = dayEnd + 1;
        if (text.Length < clock + 8 || text[dayEnd] != ' ' || text[clock + 2] != ':' || text[clock + 5] != ':')
        {
            return false;
        }

        if (month == 0 || !Number(text[dayStart..dayEnd], out var day) || !Number(text.Slice(clock, 2), out var hour)
            || !Number(text.Slice(clock + 3, 2), out var minute) || !Number(text.Slice(clock + 6, 2), out var second)
            || !IsValidDate(2000, month, day, hour, minute, second))
        {
            return false;
        }

        var position = clock + 8;
        if (!TryReadFraction(text, ref position, out var microsecond))
        {
            return false;
        }

        var year = month > context.LatestMonth ? context.Year - 1 : context.Year;
        if (month == 2 && day == 29 && !DateTime.IsLeapYear(year))
        {
            return false;
        }

        timestamp = context.FromLocal(month, day, hour, minute, second, microsecond);
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
        year is >= 1970 and <= 9998 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
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

    private static bool AllLettersOrDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }

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
