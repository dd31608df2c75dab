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
        where hours <= 14 && minutes <= 59
        select (sign == '-' ? -1 : 1) * new TimeSpan(hours, minutes, 0);

    private static readonly Parser<TimeSpan> Offset = Parse.Char('Z').Return(TimeSpan.Zero).Or(NumericOffset);

    private static readonly Parser<int> MonthName =
        Parse.Letter.Repeat(3).Text().Where(m => MonthNames.Contains(m)).Select(m => Array.IndexOf(MonthNames, m) + 1).Named("month name");

    /// <summary>The day of an RFC 3164 stamp: padded with a space (<c> 7</c>) or a zero (<c>07</c>), or not padded (<c>7</c>).</summary>
    private static readonly Parser<int> Day = Parse.Char(' ').Then(_ => Parse.Digit.Once().Text()).Or(Parse.Digit.Repeat(1, 2).Text())
        .Select(d => int.Parse(d, CultureInfo.InvariantCulture));

    private static readonly Parser<string> Word = Parse.CharExcept(' ').AtLeastOnce().Text();

    private static readonly Parser<int> SpaceOrEnd = Parse.Char(' ').Return(0).Or(Parse.Return(0).End());

    private static readonly Parser<TimeSpan> NumericOffsetWithoutColon =
        from sign in Parse.Chars('+', '-')
        from hours in TwoDigits
        from minutes in TwoDigits
        where hours <= 14 && minutes <= 59
        select (sign == '-' ? -1 : 1) * new TimeSpan(hours, minutes, 0);

    /// <summary>Exim's log_timezone offset, written after a space: <c> +0200</c>, then a space or the end.</summary>
    private static readonly Parser<TimeSpan> SpacedOffset =
        from space in Parse.Char(' ')
        from offset in NumericOffsetWithoutColon
        from end in SpaceOrEnd
        select offset;

    private static readonly Parser<int> Priority =
        from open in Parse.Char('<')
        from value in Parse.Digit.Repeat(1, 3).Text()
        from close in Parse.Char('>')
        select int.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>FreeBSD syslogd's <c>-v</c>/<c>-vv</c> after the stamp: <c>&lt;mail.notice&gt; </c>, <c>&lt;22&gt; </c>, <c>&lt;2.5&gt; </c>.</summary>
    private static readonly Parser<string> FacilityTag =
        from open in Parse.Char('<')
        from facility in Parse.LetterOrDigit.Where(char.IsAscii).AtLeastOnce().Text()
        from level in Parse.Char('.').Then(_ => Parse.LetterOrDigit.Where(char.IsAscii).AtLeastOnce().Text()).Optional()
        from close in Parse.Char('>')
        from space in Parse.Char(' ')
        select facility;

    /// <summary>
    /// Solaris syslogd's message id after the tag, with the facility and level it was logged at:
    /// <c>[ID 197553 mail.info] </c>. Read and skipped: the message starts after it.
    /// </summary>
    private static readonly Parser<string> SolarisMessageId =
        from open in Parse.String("[ID ")
        from number in Parse.Digit.Where(char.IsAsciiDigit).AtLeastOnce().Text()
        from space in Parse.Char(' ')
        from facility in Parse.LetterOrDigit.Where(char.IsAscii).AtLeastOnce().Text()
        from dot in Parse.Char('.')
        from level in Parse.LetterOrDigit.Where(char.IsAscii).AtLeastOnce().Text()
        from close in Parse.Char(']')
        from end in SpaceOrEnd
        select number;

    /// <summary>Parses a whole line's header, or fails with the position where it stopped making sense.</summary>
    public static IResult<SyslogHeaderText> TryParse(string line, TimestampContext context) => Line(context).TryParse(line);

    /// <summary>An ISO 8601 stamp: the wall-clock time, and its offset when one is attached.</summary>
    private static readonly Parser<(DateTime Local, TimeSpan? Offset)> IsoParts =
        from year in FourDigits
        from d1 in Parse.Char('-')
        from month in TwoDigits
        from d2 in Parse.Char('-')
        from day in TwoDigits
        from t in Parse.Chars('T', ' ')
        from clock in Clock
        from offset in Offset.Optional()
        where year is >= 1970 and <= 9998 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && clock.IsValid
        select (new DateTime(year, month, day, clock.Hour, clock.Minute, clock.Second).AddTicks(clock.Microsecond * 10L), offset.IsDefined ? offset.Get() : (TimeSpan?)null);

    private static Parser<DateTimeOffset> IsoStamp(TimestampContext context) =>
        IsoParts.Select(stamp => Instant(stamp.Local, stamp.Offset, context));

    private static DateTimeOffset Instant(DateTime local, TimeSpan? offset, TimestampContext context) =>
        offset is { } zone ? new DateTimeOffset(local, zone).ToUniversalTime() : context.FromLocal(local);

    private static Parser<DateTimeOffset> BsdStamp(TimestampContext context) =>
        from month in MonthName
        from s1 in Parse.Char(' ')
        from day in Day
        from s2 in Parse.Char(' ')
        from clock in Clock
        let year = month > context.LatestMonth ? context.Year - 1 : context.Year
        where day >= 1 && day <= DateTime.DaysInMonth(year, month) && clock.IsValid
        select context.FromLocal(month, day, clock.Hour, clock.Minute, clock.Second, clock.Microsecond);

    /// <summary><c>program[pid]:</c> or <c>program:</c>.</summary>
    private static readonly Parser<(string Program, int Pid)> TagWord =
        from program in Parse.CharExcept("[: ").AtLeastOnce().Text()
        from pid in (from open in Parse.Char('[')
                     from digits in Parse.Digit.AtLeastOnce().Text()
                     from close in Parse.Char(']')
                     select int.Parse(digits, CultureInfo.InvariantCulture)).Optional()
        from colon in Parse.Char(':')
        select (program, pid.GetOrElse(0));

    /// <summary>The tag after a host, and the space after it when there is one.</summary>
    private static readonly Parser<(string Program, int Pid)> Tag =
        from tag in TagWord
        from space in Parse.Char(' ').Optional()
        select tag;

    /// <summary>The tag as the first word of a line without a host name: the colon ends the word.</summary>
    private static readonly Parser<(string Program, int Pid)> TagAlone =
        from tag in TagWord
        from end in SpaceOrEnd
        select tag;

    /// <summary>
    /// The program's own date at the start of its message (Exim through syslog: <c>2021-07-17 23:20:49 [+0200] [[pid]] </c>).
    /// It has a year, and may have a zone, so it is the line's time.
    /// </summary>
    private static Parser<DateTimeOffset> ProgramDate(TimestampContext context) =>
        from stamp in IsoParts
        from spacedOffset in stamp.Offset is null ? SpacedOffset.Select(o => (TimeSpan?)o).Or(Parse.Return((TimeSpan?)null)) : Parse.Return((TimeSpan?)null)
        from space in spacedOffset is null ? SpaceOrEnd : Parse.Return(0)
        from pid in (from open in Parse.Char('[')
                     from digits in Parse.Digit.AtLeastOnce()
                     from close in Parse.Char(']')
                     from end in SpaceOrEnd
                     select 0).Optional()
        select Instant(stamp.Local, stamp.Offset ?? spacedOffset, context);

    /// <summary>A backslash and the character it escapes.</summary>
    private static readonly Parser<string> Escaped = Parse.Char('\\').Then(_ => Parse.AnyChar).Select(c => "\\" + c);

    /// <summary>A quoted parameter value, in which a <c>]</c> does not end the element.</summary>
    private static readonly Parser<string> QuotedValue =
        from open in Parse.Char('"')
        from body in Escaped.Or(Parse.CharExcept('"').Once().Text()).Many()
        from close in Parse.Char('"')
        select "\"" + string.Concat(body) + "\"";

    /// <summary>RFC 5424 structured data: <c>-</c>, or one or more <c>[id param="value" …]</c> elements.</summary>
    private static readonly Parser<string> StructuredData =
        Parse.String("-").Text().Or(
            (from open in Parse.Char('[')
             from body in Escaped.Or(QuotedValue).Or(Parse.CharExcept("]\\\"").Once().Text()).Many()
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
        from bom in Parse.Char('\uFEFF').Optional()
        from programDate in ProgramDate(context).Optional()
        from message in Parse.AnyChar.Many().Text()
        select new SyslogHeaderText(programDate.GetOrElse(stamp), host == "-" ? string.Empty : host, app,
            int.TryParse(procId, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0, message);

    /// <summary>The host and tag: no host when the first word is a whole tag, else a host, a space and the tag.</summary>
    private static readonly Parser<(string Host, string Program, int Pid)> HostAndTag =
        TagAlone.Select(tag => (string.Empty, tag.Program, tag.Pid))
            .Or(from host in Word
                from space in Parse.Char(' ')
                from tag in Tag
                select (host, tag.Program, tag.Pid));

    private static Parser<SyslogHeaderText> Classic(TimestampContext context) =>
        from stamp in IsoStamp(context).Or(BsdStamp(context))
        from s1 in Parse.Char(' ')
        from facility in FacilityTag.Optional()
        from tag in HostAndTag
        from solaris in SolarisMessageId.Optional()
        from programDate in ProgramDate(context).Optional()
        from message in Parse.AnyChar.Many().Text()
        select new SyslogHeaderText(programDate.GetOrElse(stamp), tag.Host, tag.Program, tag.Pid, message);

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
