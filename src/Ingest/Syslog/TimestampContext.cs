namespace RelayWatch.Ingest.Syslog;

/// <summary>
/// What a timestamp needs that the line may not say: the year (RFC 3164 has none) and the zone
/// (RFC 3164 and zone-less ISO stamps are local time of the logging host).
/// </summary>
/// <param name="Year">Year for stamps without one.</param>
/// <param name="LatestMonth">
/// The month of the file's last write: a stamp in a later month belongs to the previous year
/// (a December line read in January). 12 disables the roll-back.
/// </param>
internal sealed record TimestampContext(int Year, int LatestMonth, TimeZoneInfo Zone)
{
    public static TimestampContext Utc(int year) => new(year, 12, TimeZoneInfo.Utc);

    /// <summary>
    /// The order of numeric dates that could be read either way (<c>05/11/2026</c>); null when the file's
    /// order is not known, and each line uses what its own numbers prove.
    /// </summary>
    public Formats.DateOrder? DateOrder { get; init; }

    /// <summary>The UTC instant of a local wall-clock time without a year.</summary>
    public DateTimeOffset FromLocal(int month, int day, int hour, int minute, int second, int microsecond)
    {
        var year = month > LatestMonth ? Year - 1 : Year;
        return FromLocal(year, month, day, hour, minute, second, microsecond);
    }

    public DateTimeOffset FromLocal(int year, int month, int day, int hour, int minute, int second, int microsecond) =>
        FromLocal(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(microsecond * 10L));

    /// <summary>The UTC instant of a wall-clock time in <see cref="Zone"/>.</summary>
    public DateTimeOffset FromLocal(DateTime local) => new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
}
