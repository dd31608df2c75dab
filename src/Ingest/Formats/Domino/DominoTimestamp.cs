namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// A Domino console stamp as written, before the date order is known: the three date numbers in
/// their written order, the separator, and the time on a 24-hour clock.
/// </summary>
internal readonly record struct DominoTimestamp(int First, int Second, int Third, int FirstDigits, char Separator, int Hour, int Minute, int Second24)
{
    /// <summary>The date order the numbers themselves prove, when they prove one (a four-digit first number, or a number above 12).</summary>
    public DateOrder? ProvenOrder =>
        FirstDigits == 4 ? DateOrder.YearMonthDay
        : First > 12 && Second <= 12 ? DateOrder.DayMonthYear
        : Second > 12 && First <= 12 ? DateOrder.MonthDayYear
        : null;

    /// <summary>Year, month and day in <paramref name="order"/>; a two-digit year is 20yy.</summary>
    public (int Year, int Month, int Day) Date(DateOrder order)
    {
        var (year, month, day) = order switch
        {
            DateOrder.YearMonthDay => (First, Second, Third),
            DateOrder.DayMonthYear => (Third, Second, First),
            _ => (Third, First, Second),
        };
        return (year < 100 ? 2000 + year : year, month, day);
    }
}
