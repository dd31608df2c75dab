using System.Globalization;

namespace RelayWatch.Reports;

/// <summary>Reads the text fields of a TabSeparated row, invariantly.</summary>
internal static class Values
{
    public static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    public static double Double(string text) => text switch
    {
        "nan" or "inf" or "-inf" => 0,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    public static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateTime Time(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>Attacker-controlled text made safe to show anywhere: control characters replaced, cut at <paramref name="length"/>.</summary>
    public static string Shown(string text, int length = 100)
    {
        var cut = text.Length > length ? text[..length] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    /// <summary>The median of some numbers, 0 for none.</summary>
    public static double Median(IEnumerable<double> numbers)
    {
        var sorted = numbers.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
