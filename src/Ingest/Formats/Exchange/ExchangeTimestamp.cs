using System.Globalization;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// The <c>date-time</c> of a record. Exchange writes UTC as <c>2026-11-24T08:00:00.100Z</c>, read here digit by
/// digit; any other form is left to <see cref="DateTimeOffset.TryParse(string, IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>, UTC when it names no zone.
/// </summary>
internal static class ExchangeTimestamp
{
    public static bool TryRead(ReadOnlySpan<char> text, out DateTimeOffset timestamp)
    {
        if (TryReadUtc(text, out timestamp))
        {
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);
    }

    /// <summary><c>yyyy-MM-ddTHH:mm:ss[.fff]Z</c>, a real date and time; false for anything else.</summary>
    private static bool TryReadUtc(ReadOnlySpan<char> text, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if ((text.Length != 20 && text.Length != 24) || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[^1] != 'Z')
        {
            return false;
        }

        var millisecond = 0;
        if ((text.Length == 24 && (text[19] != '.' || !Digits(text.Slice(20, 3), out millisecond)))
            || !Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute) || !Digits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        timestamp = new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);
        return true;
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

        return true;
    }
}
