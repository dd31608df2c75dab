using System.Globalization;
using Sprache;

namespace RelayWatch.Ingest.Syslog;

/// <summary>
/// The Sprache grammar of the syslog header: the definition that <see cref="SyslogHeaderReader"/>,
/// the allocation-free reader used per line, must agree with (proven by a test over the corpora).
/// It is also the readable statement of which stamps and tags RelayWatch accepts.
/// </summary>
internal static class SyslogGrammar
{
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly Parser<int> TwoDigits = Parse.Digit.Repeat(2).Text().Select(d => int.Parse(d, CultureInfo.InvariantCulture));

    private static readonly Parser<int> FourDigits = Parse.Digit.Repeat(4).Text().Select(d => int.Parse(d, CultureInfo.InvariantCulture));

    /// <summary>Fractional seconds as microseconds (extra digits are read and dropped).</summary>
    private static readonly Parser<int> Fraction =
        from dot in Parse.Char('.')
        from digits in Parse.Digit.AtLeastOnce().Text()
        select int.Parse(digits.PadRight(6, '0')[..6], CultureInfo.InvariantCulture);

    private static readonly Parser<TimeOnlyParts> Clock =
        from hour in TwoDigits
        from c1 in Parse.Char(':')
        from minute in TwoDigits
        from c2 in Parse.Char(':')
        from second in TwoDigits
        from micro in Fraction.Optional()
        select new TimeOnlyParts(hour, minute, second, micro.GetOrElse(0));

    private static readonly Parser<TimeSpan> NumericOffset =
        from sign in Parse.Chars('+', '-')
        from hours in TwoDigits
        from colon in Parse.Char(':').Optional()
        from minutes in TwoDigits
        select (sign == '-' ? -1 : 1) * new TimeSpan(hours, minutes, 0);

    private static readonly Parser<TimeSpan> Offset = Parse.Char('Z').Return(TimeSpan.Zero).Or(NumericOffset);

    private static readonly Parser<int> MonthName =
        Parse.Letter.Repeat(3).Text().Where(m => MonthNames.Contains(m)).Select(m => Array.IndexOf(MonthNames, m) + 1).Named("month name");

    private static readonly Parser<int> PaddedDay = Parse.Char(' ').Then(_ => Parse.Digit.Once().Text()).Or(Parse.Digit.Repeat(2).Text())
        .Select(d => int.Parse(d, CultureInfo.InvariantCulture));

    private static readonly Parser<string> Word = Parse.CharExcept(' ').AtLeastOnce().Text();

    private static readonly Parser<int> Priority =
        from open in Parse.Char('<')
        from value in Parse.Digit.Repeat(1, 3).Text()
        from close in Parse.Char('>')
        select int.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>Parses a whole line's header, or fails with the position where it stopped making sense.</summary>
    public static IResult<SyslogHeaderText> TryParse(string line, TimestampContext context) => Line(context).TryParse(line);

    private static Parser<DateTimeOffset> IsoStamp(TimestampContext context) =>
        from year in FourDigits
        from d1 in Parse.Char('-')
        from month in TwoDigits
        from d2 in Parse.Char('-')
        from day in TwoDigits
        from t in Parse.Chars('T', ' ')
        from clock in Clock
        from offset in Offset.Optional()
        where month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && clock.IsValid
        select offset.IsDefined
            ? new DateTimeOffset(new DateTime(year, month, day, clock.Hour, clock.Minute, clock.Second).AddTicks(clock.Microsecond * 10L), offset.Get()).ToUniversalTime()
            : context.FromLocal(year, month, day, clock.Hour, clock.Minute, clock.Second, clock.Microsecond);

    private static Parser<DateTimeOffset> BsdStamp(TimestampContext context) =>
        from month in MonthName
        from s1 in Parse.Char(' ')
        from day in PaddedDay
        from s2 in Parse.Char(' ')
        from clock in Clock
        let year = month > context.LatestMonth ? context.Year - 1 : context.Year
        where day >= 1 && day <= DateTime.DaysInMonth(year, month) && clock.IsValid
        select context.FromLocal(month, day, clock.Hour, clock.Minute, clock.Second, clock.Microsecond);

    /// <summary><c>program[pid]: </c> or <c>program: </c></summary>
    private static readonly Parser<(string Program, int Pid)> Tag =
        from program in Parse.CharExcept("[: ").AtLeastOnce().Text()
        from pid in (from open in Parse.Char('[')
                     from digits in Parse.Digit.AtLeastOnce().Text()
                     from close in Parse.Char(']')
                     select int.Parse(digits, CultureInfo.InvariantCulture)).Optional()
        from colon in Parse.Char(':')
        from space in Parse.Char(' ').Optional()
        select (program, pid.GetOrElse(0));

    private static readonly Parser<string> StructuredData =
        Parse.String("-").Text().Or(
            (from open in Parse.Char('[')
             from body in Parse.String("\\]").Text().Or(Parse.String("\\\"").Text()).Or(Parse.CharExcept(']').Once().Text()).Many()
             from close in Parse.Char(']')
             select string.Concat(body)).AtLeastOnce().Select(string.Concat));

    private static Parser<SyslogHeaderText> Rfc5424(TimestampContext context) =>
        from version in Parse.String("1 ")
        from stamp in IsoStamp(context)
        from s1 in Parse.Char(' ')
        from host in Word
        from s2 in Parse.Char(' ')
        from app in Word
        from s3 in Parse.Char(' ')
        from procId in Word
        from s4 in Parse.Char(' ')
        from messageId in Word
        from s5 in Parse.Char(' ')
        from data in StructuredData
        from s6 in Parse.Char(' ').Optional()
        from message in Parse.AnyChar.Many().Text()
        select new SyslogHeaderText(stamp, host, app, int.TryParse(procId, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0, message);

    private static Parser<SyslogHeaderText> Classic(TimestampContext context) =>
        from stamp in IsoStamp(context).Or(BsdStamp(context))
        from s1 in Parse.Char(' ')
        from host in Word
        from s2 in Parse.Char(' ')
        from tag in Tag
        from message in Parse.AnyChar.Many().Text()
        select new SyslogHeaderText(stamp, host, tag.Program, tag.Pid, message);

    private static Parser<SyslogHeaderText> Line(TimestampContext context) =>
        (from priority in Priority
         from header in Rfc5424(context).Or(Classic(context))
         select header)
        .Or(Classic(context))
        .End();

    private readonly record struct TimeOnlyParts(int Hour, int Minute, int Second, int Microsecond)
    {
        public bool IsValid => Hour < 24 && Minute < 60 && Second < 60;
    }
}
