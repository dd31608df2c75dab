using System.Globalization;
using Sprache;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// The grammar of Cisco Secure Email (IronPort, AsyncOS) mail_logs, leaf to root: the line prefix — the
/// appliance's own file (<c>Fri Mar 25 20:50:10 2022 Info: …</c>) or syslog (<c>&lt;166&gt;Mar 17 18:24:37
/// [host] mail_logs: Info: …</c>) — and the structured lines the ingest reads fields from: a new incoming
/// connection (<c>New SMTP ICID …</c>), the host access table's verdict on it (<c>ICID 5 REJECT SG BLOCKED
/// match sbrs[-10.0:-3.0] SBRS -5.6</c>), and a delivery that bounced or was delayed. Which kind of line it
/// is, <see cref="IronportParser"/> decides from the words after the level.
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

    private static readonly Parser<string> Address =
        Parse.Char(c => char.IsAsciiHexDigit(c) || c is '.' or ':', "IP address character").AtLeastOnce().Text();

    private static readonly Parser<long> Id = Digit.AtLeastOnce().Text().Where(t => t.Length <= 18).Select(t => long.Parse(t, CultureInfo.InvariantCulture));

    /// <summary><c>New SMTP ICID 5 interface Main (192.0.2.1) address 203.0.113.9 reverse dns host mx.example.net verified yes</c>.</summary>
    public static readonly Parser<(long Icid, string Ip, string Host, bool Verified)> NewConnection =
        from start in Parse.String("New SMTP ICID ")
        from icid in Id
        from iface in Parse.String(" interface ").Then(_ => Parse.AnyChar.Except(Parse.String(" address ")).Many())
        from address in Parse.String(" address ").Then(_ => Address)
        from host in Parse.String(" reverse dns host ").Then(_ => Parse.CharExcept(' ').AtLeastOnce().Text()).Optional()
        from verified in Parse.String(" verified ").Then(_ => Letter.AtLeastOnce().Text()).Optional()
        from rest in Parse.AnyChar.Many()
        select (icid, address, host.GetOrDefault() ?? string.Empty, verified.GetOrDefault() == "yes");

    /// <summary><c>ICID 5 REJECT SG BLOCKED match sbrs[-10.0:-3.0] SBRS -5.6 country …</c>: the host access table's verdict.</summary>
    public static readonly Parser<(long Icid, string Verdict, string Tail)> Verdict =
        from start in Parse.String("ICID ")
        from icid in Id
        from space in Parse.Char(' ')
        from verdict in Parse.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ").AtLeastOnce().Text()
        from rest in Parse.Char(' ').Then(_ => Parse.AnyChar.Many().Text()).Or(Parse.Return(string.Empty).End())
        select (icid, verdict, rest);

    /// <summary>
    /// <c>Bounced: DCID 3 MID 4 to RID 0 - 5.1.0 - Unknown address error ('550', ['…']) []</c> and its
    /// <c>Delayed:</c> sibling: the message, the recipient's RID, the status, and the reply.
    /// </summary>
    public static readonly Parser<(long Dcid, long Mid, int Rid, string Status, string Reply)> DeliveryFailure =
        from outcome in Parse.String("Bounced: ").Or(Parse.String("Delayed: "))
        from dcid in Parse.String("DCID ").Then(_ => Id)
        from mid in Parse.String(" MID ").Then(_ => Id)
        from rid in Parse.String(" to RID ").Then(_ => Id)
        from status in Parse.String(" - ").Then(_ => Parse.CharExcept(' ').AtLeastOnce().Text())
        from reply in Parse.String(" - ").Then(_ => Parse.AnyChar.Many().Text()).Or(Parse.Return(string.Empty))
        where rid <= int.MaxValue
        select (dcid, mid, (int)rid, status, reply);
}
