using System.Globalization;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Reports;

/// <summary>What every section of one report reads with: the store, the day, what is ours, the settings and the time it is made.</summary>
internal sealed record ReportContext(IClickHouseStore Store, DateOnly Day, OurEstate Estate, ReportSettings Settings, DateTimeOffset Now)
{
    /// <summary>Days of traffic history the trends read, ending with the day.</summary>
    public const int HistoryDays = 90;

    /// <summary>
    /// The query parameters every section may use: <c>{day:Date}</c>, <c>{previous:Date}</c>,
    /// <c>{week_start:Date}</c> (seven days before the day), <c>{history_start:Date}</c>, and what is ours.
    /// </summary>
    public IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["day"] = Text(Day),
        ["previous"] = Text(Day.AddDays(-1)),
        ["week_start"] = Text(Day.AddDays(-7)),
        ["history_start"] = Text(Day.AddDays(1 - HistoryDays)),
        ["our_domains"] = SqlText.QuoteArray(Estate.ProtectedDomains),
        ["internal_networks"] = SqlText.QuoteArray(Estate.InternalNetworks),
    };

    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
