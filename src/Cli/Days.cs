using System.Globalization;
using RelayWatch.Store;

namespace RelayWatch.Cli;

/// <summary>Days on the command line (<c>--day</c>, <c>--from</c>, <c>--to</c>) and the days the store holds.</summary>
internal static class Days
{
    /// <summary>A <c>YYYY-MM-DD</c> option value; null when the option was not given.</summary>
    /// <exception cref="UsageException">The text is not such a date.</exception>
    public static DateOnly? Parse(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed
        : throw new UsageException($"{option} {text} is not a date such as 2026-11-24.");

    /// <summary>The latest day with events; null when the store has none.</summary>
    public static async Task<DateOnly?> LatestAsync(IClickHouseStore store, CancellationToken cancellationToken)
    {
        var text = await store.QueryScalarAsync("SELECT if(count() = 0, '', toString(max(toDate(ts)))) FROM smtp_events", cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(text) ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
