using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Domino;

/// <summary>
/// Lines in the wording of fail2ban's Domino SMTP filter test log (written by us; its address is a placeholder there too) (fail2ban/fail2ban, <c>fail2ban/tests/files/logs/domino-smtp</c>),
/// which mixes day-first dates (<c>22-06-2014</c>) with a year-first one (<c>2016-11-07</c>) in one file.
/// </summary>
public sealed class DominoPublicTestLogLineTests
{
    private const string YearFirst = "2016-11-07 22:21:20   smtp: postmaster [1.2.3.4] authentication failure using internet password";

    [Fact]
    public void AYearFirstStampInADayFirstConsoleIsReadYearFirst()
    {
        string[] lines =
        [
            "[28325:00010-3735542592] 22-06-2014 09:56:12   smtp: postmaster [1.2.3.4] authentication failure using internet password",
            "08-09-2014 06:14:27   smtp: postmaster [1.2.3.4] authentication failure using internet password",
            YearFirst,
        ];
        var order = DominoParser.DetectDateOrder(lines, out var proven);
        var origin = new LineOrigin(Path.Combine("logs", "domino1", "console.log"), null, TimestampContext.Utc(2026) with { DateOrder = order });
        var parser = new DominoParser();

        var results = lines.Select((line, i) => parser.Parse(line, origin, i + 1)).ToList();

        Assert.Equal((DateOrder.DayMonthYear, true), (order, proven));
        Assert.All(results, r => Assert.Equal((EventNames.AuthFailure, "1.2.3.4"), (r.Event!.Event, r.Event.ClientIp)));
        Assert.Equal(
            [new DateTimeOffset(2014, 6, 22, 9, 56, 12, TimeSpan.Zero), new DateTimeOffset(2014, 9, 8, 6, 14, 27, TimeSpan.Zero), new DateTimeOffset(2016, 11, 7, 22, 21, 20, TimeSpan.Zero)],
            results.Select(r => r.Event!.Timestamp));
    }

    [Theory]
    [InlineData(DateOrder.DayMonthYear)]
    [InlineData(DateOrder.MonthDayYear)]
    public void AYearFirstStampIsReadYearFirstWhateverOrderIsGiven(DateOrder given)
    {
        var origin = new LineOrigin("console.log", null, TimestampContext.Utc(2026) with { DateOrder = given });

        var result = new DominoParser().Parse(YearFirst, origin, 1);

        Assert.Equal(new DateTimeOffset(2016, 11, 7, 22, 21, 20, TimeSpan.Zero), result.Event!.Timestamp);
    }
}
