namespace RelayWatch.Ingest.Formats;

/// <summary>
/// The order of day, month and year in a numeric date, as a server's locale writes it (Domino's
/// notes.ini <c>DateOrder</c>: DMY, MDY or YMD).
/// </summary>
public enum DateOrder
{
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}
