using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// Where an Exim line's text begins and when it was written: native mainlog lines start with Exim's
/// own stamp (<see cref="EximGrammar.Prefix"/>, read here with spans at fixed positions), lines through
/// syslog with a syslog header and the program <c>exim</c> or <c>exim4</c>. Also the two things format
/// detection and the walker ask of a line before its kind: is it Exim's, and does it start with a message id.
/// </summary>
internal static class EximPrefix
{
    /// <summary>Whether a file is Exim's rejectlog (<c>rejectlog</c>, <c>rejectlog.1</c>, <c>rejectlog.2.gz</c>, <c>rejectlog-20261124</c>), by Exim's name for it.</summary>
    public static bool IsRejectLog(string file) =>
        // The span overload: the string one makes a new string of the name, and the parser asks on every line.
        Path.GetFileName(file.AsSpan()).StartsWith("rejectlog", StringComparison.Ordinal);

    /// <summary>Whether a line looks like a native mainlog line (<c>yyyy-MM-dd HH:mm:ss</c> then a message id or a known phrase), for format detection.</summary>
    public static bool LooksNative(string line)
    {
        if (line.Length < 21 || !char.IsAsciiDigit(line[0]) || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':')
        {
            return false;
        }

        var rest = line.AsSpan(19).TrimStart(".0123456789").TrimStart(' ');
        rest = rest.StartsWith("+") || rest.StartsWith("-") ? rest[Math.Min(rest.Length, 6)..] : rest;
        rest = rest.StartsWith("[") && rest.IndexOf("] ") is var close and > 0 ? rest[(close + 2)..] : rest;
        return IsMessageId(rest, out _) || rest.StartsWith("SMTP connection from ") || rest.StartsWith("H=") || rest.Contains(" authenticator failed for ", StringComparison.Ordinal)
            || rest.StartsWith("Start queue run") || rest.StartsWith("exim ");
    }

    /// <summary>Whether the body starts with a message id (6-6-2 or 6-11-4 base-62 digits) and a space or its end.</summary>
    public static bool IsMessageId(ReadOnlySpan<char> body, out int length)
    {
        foreach (var candidate in (ReadOnlySpan<int>)[16, 23])
        {
            if (body.Length >= candidate && (body.Length == candidate || body[candidate] == ' ') && body[6] == '-' && body[candidate - (candidate == 16 ? 3 : 5)] == '-')
            {
                var id = body[..candidate];
                var ok = true;
                for (var i = 0; i < id.Length && ok; i++)
                {
                    ok = id[i] == '-' ? i == 6 || i == candidate - (candidate == 16 ? 3 : 5) : char.IsAsciiLetterOrDigit(id[i]);
                }

                if (ok)
                {
                    length = candidate;
                    return true;
                }
            }
        }

        length = 0;
        return false;
    }

    /// <summary>
    /// The time and relay of a line and where its text begins. Native lines start with the date; lines
    /// through syslog carry a syslog header and the program <c>exim</c> or <c>exim4</c>. The relay is
    /// <c>--relay</c>, else the syslog host, else (a native mainlog names no host) the folder the file is in.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<char> line, LineOrigin origin, out DateTimeOffset timestamp, out string relay, out int bodyStart, out string? why)
    {
        timestamp = default;
        relay = string.Empty;
        bodyStart = 0;
        why = null;
        if (line.Length > 19 && char.IsAsciiDigit(line[0]) && line[4] == '-' && line[10] == ' ')
        {
            if (!TryReadNativePrefix(line, out var stamp, out bodyStart))
            {
                why = "unreadable exim timestamp";
                return false;
            }

            try
            {
                timestamp = stamp.OffsetMinutes is { } offset
                    ? new DateTimeOffset(stamp.Year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, TimeSpan.FromMinutes(offset)).AddTicks(stamp.Microsecond * 10L).ToUniversalTime()
                    : origin.Timestamps.FromLocal(stamp.Year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, stamp.Microsecond);
            }
            catch (ArgumentOutOfRangeException)
            {
                why = "impossible exim timestamp";
                return false;
            }

            relay = origin.Relay ?? origin.FolderOr("exim");
            return true;
        }

        if (!SyslogHeaderReader.TryRead(line, origin.Timestamps, out var header))
        {
            why = "no exim or syslog timestamp";
            return false;
        }

        var program = line[header.Program];
        if (!program.SequenceEqual("exim") && !program.SequenceEqual("exim4"))
        {
            return false;
        }

        timestamp = header.Timestamp;
        relay = origin.RelayOf(header, line, "exim");
        bodyStart = header.MessageStart;
        return true;
    }

    /// <summary>
    /// <see cref="EximGrammar.Prefix"/> read without allocating: the stamp, then the pid when logged.
    /// A test checks that it ends where the grammar does on every line of the corpora.
    /// </summary>
    internal static bool TryReadNativePrefix(ReadOnlySpan<char> line, out EximTimestamp stamp, out int bodyStart)
    {
        if (!TryReadTimestamp(line, out stamp, out bodyStart))
        {
            return false;
        }

        // " [pid]", as EximGrammar.Pid reads it: digits in brackets.
        if (bodyStart + 3 < line.Length && line[bodyStart] == ' ' && line[bodyStart + 1] == '[' && char.IsAsciiDigit(line[bodyStart + 2]))
        {
            var close = bodyStart + 2;
            while (close < line.Length && char.IsAsciiDigit(line[close]))
            {
                close++;
            }

            if (close < line.Length && line[close] == ']')
            {
                bodyStart = close + 1;
            }
        }

        bodyStart += bodyStart < line.Length && line[bodyStart] == ' ' ? 1 : 0;
        return true;
    }

    /// <summary>
    /// <see cref="EximGrammar.Timestamp"/> read at fixed positions, without allocating: the grammar is
    /// the reference, and a test checks that both read every stamp of the corpora alike.
    /// </summary>
    internal static bool TryReadTimestamp(ReadOnlySpan<char> line, out EximTimestamp stamp, out int end)
    {
        stamp = default;
        end = 0;
        if (line.Length < 19 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':'
            || !Digits(line[..4], out var year) || !Digits(line.Slice(5, 2), out var month) || !Digits(line.Slice(8, 2), out var day)
            || !Digits(line.Slice(11, 2), out var hour) || !Digits(line.Slice(14, 2), out var minute) || !Digits(line.Slice(17, 2), out var second))
        {
            return false;
        }

        end = 19;
        var microsecond = 0;
        if (end + 1 < line.Length && line[end] == '.' && char.IsAsciiDigit(line[end + 1]))
        {
            var digits = 0;
            while (end + 1 + digits < line.Length && char.IsAsciiDigit(line[end + 1 + digits]))
            {
                microsecond = digits < 6 ? (microsecond * 10) + (line[end + 1 + digits] - '0') : microsecond;
                digits++;
            }

            for (var i = digits; i < 6; i++)
            {
                microsecond *= 10;
            }

            end += 1 + digits;
        }

        int? offset = null;
        if (end + 5 < line.Length && line[end] == ' ' && line[end + 1] is '+' or '-' && Digits(line.Slice(end + 2, 4), out var hhmm))
        {
            offset = (line[end + 1] == '-' ? -1 : 1) * (((hhmm / 100) * 60) + (hhmm % 100));
            end += 6;
        }

        stamp = new EximTimestamp(year, month, day, hour, minute, second, microsecond, offset);
        return true;
    }

    /// <summary>
    /// The value of a short run of ASCII digits, as <c>int.TryParse(text, NumberStyles.None, InvariantCulture)</c> reads it
    /// (the runs here are at most four digits, so no overflow), without its per-call culture look-up: six calls on every line.
    /// </summary>
    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                value = 0;
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
