using System.Globalization;
using Sprache;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// The Sprache grammar of the prefix of Cisco Secure Email (IronPort, AsyncOS) mail_logs lines, leaf to root:
/// the appliance's own file (<c>Fri Mar 25 20:50:10 2022 Info: …</c>) or syslog (<c>&lt;166&gt;Mar 17 18:24:37
/// [host] mail_logs: Info: …</c>), up to the text after the level. The text itself is read by the line kinds of
/// <see cref="IronportLineKinds"/>, whose templates <see cref="Templates.TemplateGrammar"/> parses.
/// </summary>
internal static class IronportGrammar
{
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly Parser<char> Digit = Parse.Char(char.IsAsciiDigit, "digit");

    /// <summary>An ASCII letter: AsyncOS writes its names and levels in ASCII, and other letters are damage.</summary>
    private static readonly Parser<char> Letter = Parse.Char(char.IsAsciiLetter, "letter");

    private static Parser<int> Number(int digits) =>
        Digit.Repeat(digits).Text().Select(t => int.Parse(t, CultureInfo.InvariantCulture));

    private static readonly Parser<int> Month =
        Letter.Repeat(3).Text().Where(m => Array.IndexOf(MonthNames, m) >= 0).Select(m => Array.IndexOf(MonthNames, m) + 1);

    /// <summary>The day of the month, two digits or a space-padded one.</summary>
    private static readonly Parser<int> Day =
        Parse.Char(' ').Then(_ => Number(1)).Or(Number(2));

    /// <summary><c>Mmm dd HH:MM:SS</c>.</summary>
    private static readonly Parser<(int Month, int Day, int Hour, int Minute, int Second)> MonthDayTime =
        from month in Month
        from s1 in Parse.Char(' ')
        from day in Day
        from s2 in Parse.Char(' ')
        from hour in Number(2)
        from c1 in Parse.Char(':')
        from minute in Number(2)
        from c2 in Parse.Char(':')
        from second in Number(2)
        select (month, day, hour, minute, second);

    /// <summary>The appliance's own stamp: <c>Www Mmm dd HH:MM:SS YYYY</c>.</summary>
    public static readonly Parser<(int Year, int Month, int Day, int Hour, int Minute, int Second)> CTime =
        from weekday in Letter.Repeat(3)
        from s1 in Parse.Char(' ')
        from stamp in MonthDayTime
        from s2 in Parse.Char(' ')
        from year in Number(4)
        select (year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second);

    private static readonly Parser<string> Word = Parse.Char(c => c != ' ' && c != ':', "word character").AtLeastOnce().Text();

    /// <summary><c>[host ]logname: </c> after a syslog stamp.</summary>
    private static readonly Parser<(string Host, string LogName)> SyslogTag =
        (from host in Word
         from s in Parse.Char(' ')
         from name in Word
         from colon in Parse.String(": ")
         select (host, name))
        .Or(from name in Word
            from colon in Parse.String(": ")
            select (string.Empty, name));

    private static readonly Parser<string> Level =
        Letter.AtLeastOnce().Text().Then(level => Parse.String(": ").Return(level));

    /// <summary>The whole prefix, up to the text after the level.</summary>
    public static readonly Parser<IronportPrefix> Prefix =
        (from stamp in CTime
         from space in Parse.Char(' ')
         from level in Level
         select new IronportPrefix(stamp.Year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, string.Empty, string.Empty, level, 0))
        .Or(from pri in Parse.Char('<').Then(_ => Digit.AtLeastOnce()).Then(_ => Parse.Char('>')).Optional()
            from stamp in MonthDayTime
            from space in Parse.Char(' ')
            from tag in SyslogTag
            from level in Level
            select new IronportPrefix(0, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, tag.Host, tag.LogName, level, 0));
}
