using System.Globalization;
using Sprache;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// The grammar of a Domino server's console log (console.log, or log.nsf exported as text), leaf to root:
/// the line prefix in its variants — <c>[pid:tid-tid] </c> before the stamp (Linux), or <c> [pid:tid-tid]</c>
/// after it (Windows), or neither — the stamp with its date in any order and separator
/// (<c>28.11.2026</c>, <c>11/28/2026</c>, <c>2026-11-28</c>) and a 24- or 12-hour clock; the connecting host
/// (<c>ip</c>, <c>[ip]</c>, <c>name (ip)</c>); and the SMTP listener's and Router's message lines.
/// Which kind of line it is, <see cref="DominoParser"/> decides from the task name and the words after it.
/// </summary>
internal static class DominoGrammar
{
    private static readonly Parser<char> Digit = Parse.Char(char.IsAsciiDigit, "digit");

    private static readonly Parser<char> Hex = Parse.Char(char.IsAsciiHexDigit, "hex digit");

    private static Parser<(int Value, int Digits)> Number(int least, int most) =>
        from digits in Digit.AtLeastOnce().Text()
        where digits.Length >= least && digits.Length <= most
        select (int.Parse(digits, CultureInfo.InvariantCulture), digits.Length);

    /// <summary><c>[007577:000017-00007F621246D700]</c>: process and thread ids; the thread is what a session's lines share. Yields <c>pid:tid</c>.</summary>
    public static readonly Parser<string> Thread =
        from open in Parse.Char('[')
        from pid in Hex.AtLeastOnce().Text()
        from colon in Parse.Char(':')
        from tid in Hex.AtLeastOnce().Text()
        from native in Parse.Char('-').Then(_ => Hex.AtLeastOnce()).Optional()
        from close in Parse.Char(']')
        select pid + ":" + tid;

    private static readonly Parser<char> Separator = Parse.Chars('/', '.', '-');

    /// <summary>
    /// A date and time: three numbers joined by one separator, a space, <c>H:mm:ss</c> (hundredths after a
    /// comma or dot are read and dropped), and <c>AM</c>/<c>PM</c> on a 12-hour clock.
    /// </summary>
    public static readonly Parser<DominoTimestamp> Timestamp =
        from first in Number(1, 4)
        from separator in Separator
        from second in Number(1, 2)
        from again in Parse.Char(separator)
        from third in Number(2, 4)
        from space in Parse.Char(' ')
        from hour in Number(1, 2)
        from c1 in Parse.Char(':')
        from minute in Number(2, 2)
        from c2 in Parse.Char(':')
        from secondOfMinute in Number(2, 2)
        from hundredths in Parse.Chars(',', '.').Then(_ => Digit.AtLeastOnce()).Optional()
        from half in Parse.String(" AM").Return('A').Or(Parse.String(" PM").Return('P')).Optional()
        select new DominoTimestamp(
            first.Value, second.Value, third.Value, first.Digits, separator,
            Hour24(hour.Value, half.IsDefined ? half.Get() : null), minute.Value, secondOfMinute.Value);

    /// <summary>The whole prefix: the thread before or after the stamp (or neither), and the spaces before the text.</summary>
    public static readonly Parser<(DominoTimestamp Stamp, string Thread)> Prefix =
        from before in Thread.Then(t => Parse.Char(' ').Return(t)).Optional()
        from stamp in Timestamp
        from after in Parse.Char(' ').Then(_ => Thread).Optional()
        from spaces in Parse.Char(' ').Many()
        select (stamp, before.GetOrDefault() ?? after.GetOrDefault() ?? string.Empty);

    private static readonly Parser<string> Address =
        Parse.Char(c => char.IsAsciiHexDigit(c) || c is '.' or ':', "IP address character").AtLeastOnce().Text();

    private static readonly Parser<string> HostName =
        Parse.Char(c => !char.IsWhiteSpace(c) && c is not ('(' or ')' or '[' or ']'), "host name character").AtLeastOnce().Text();

    /// <summary>A connecting host: <c>[ip]</c>, <c>name (ip)</c>, or a bare address.</summary>
    public static readonly Parser<DominoClient> Client =
        (from open in Parse.Char('[')
         from ip in Address
         from close in Parse.Char(']')
         select new DominoClient(string.Empty, ip))
        .Or(from name in HostName
            from open in Parse.String(" (")
            from ip in Address
            from close in Parse.Char(')')
            select new DominoClient(name, ip))
        .Or(Address.Select(ip => new DominoClient(string.Empty, ip)));

    /// <summary>A size or count: up to 15 digits (a longer number is no size a server logs, and would overflow).</summary>
    private static readonly Parser<ulong> Count =
        from digits in Digit.AtLeastOnce().Text()
        where digits.Length <= 15
        select ulong.Parse(digits, CultureInfo.InvariantCulture);

    /// <summary>A Notes note id as the listener and the Router name messages: eight hex digits.</summary>
    public static readonly Parser<string> NoteId = Hex.Repeat(8).Text();

    /// <summary>The text up to (not including) <paramref name="stop"/>, which must follow.</summary>
    private static Parser<string> Until(string stop) =>
        Parse.AnyChar.Except(Parse.String(stop)).Many().Text();

    /// <summary>The text up to (not including) the last <paramref name="stop"/>, which must follow.</summary>
    private static Parser<string> UntilLast(string stop) =>
        Parse.AnyChar.Except(Parse.String(stop).Then(_ => Parse.AnyChar.Except(Parse.String(stop)).Many()).End()).Many().Text();

    /// <summary>
    /// <c>Message 00364B87 (MessageID: &lt;id&gt;) received from 192.0.2.1 size 2320 bytes</c>, or without the
    /// client and size (<c>… (MessageID: &lt;id&gt;) received</c>, the client then being the session's). The
    /// Message-ID is the sender's text, so the listener's own words are those after the last <c>") received"</c>.
    /// </summary>
    public static readonly Parser<(string NoteId, string MessageId, DominoClient? Client, ulong Size)> MessageReceived =
        from word in Parse.String("Message ")
        from note in NoteId
        from open in Parse.String(" (MessageID: ")
        from messageId in UntilLast(") received")
        from received in Parse.String(") received")
        from client in (
            from space in Parse.String(" from ")
            from client in Client
            from size in Parse.String(" size ").Then(_ => Count).Optional()
            from boundary in Parse.Char(' ').Return(' ').Or(Parse.Return(' ').End())
            from rest in Parse.AnyChar.Many()
            select ((DominoClient?)client, size.GetOrDefault())).Or(Parse.Return(((DominoClient?)null, 0UL)).End())
        select (note, messageId.Trim('<', '>'), client.Item1, client.Item2);

    /// <summary><c>Size: 5K</c> in Router lines, in bytes (Domino rounds to kilobytes).</summary>
    private static readonly Parser<ulong> KiloSize =
        from label in Parse.String("Size: ")
        from kilobytes in Count
        from unit in Parse.Char('K')
        select kilobytes * 1024;

    /// <summary>The ids a Router line begins with: <c>Message 0035F7E3</c>, or two for a message and its copy (<c>Message 0035F7E3, 0035F7E4</c>).</summary>
    private static readonly Parser<string> RouterIds =
        from word in Parse.String("Message ")
        from first in NoteId
        from copy in Parse.String(", ").Then(_ => NoteId).Optional()
        from space in Parse.Char(' ')
        select first;

    /// <summary>A sender, up to the <c>OID:</c> or <c>Size:</c> that follows it.</summary>
    private static readonly Parser<string> RouterSender =
        Parse.AnyChar.Except(Parse.String(" OID:").Or(Parse.String(" Size:"))).Many().Text();

    /// <summary><c>Message 00364B87 delivered to Jane Doe/Acme from sender@example.net OID: … Size: 5K Time: 00:00:01 Hop Count: 1</c>.</summary>
    public static readonly Parser<RouterLine> Delivered =
        from id in RouterIds
        from verb in Parse.String("delivered to ")
        from recipient in Until(" from ")
        from word in Parse.String(" from ")
        from sender in RouterSender
        from oid in Parse.String(" OID:").Then(_ => Parse.AnyChar.Except(Parse.String(" Size:")).Many()).Optional()
        from size in Parse.Char(' ').Then(_ => KiloSize).Optional()
        from rest in Parse.AnyChar.Many()
        select new RouterLine(id, recipient, sender.Trim(), string.Empty, size.GetOrDefault(), string.Empty);

    /// <summary><c>Message 00364B87 transferred to mx.example.net for x@example.net from Jane Doe/Acme OID: … Size: 2K via SMTP</c>.</summary>
    public static readonly Parser<RouterLine> Transferred =
        from id in RouterIds
        from verb in Parse.String("transferred to ")
        from hop in Until(" for ")
        from word in Parse.String(" for ")
        from recipient in Until(" from ")
        from fromWord in Parse.String(" from ")
        from sender in RouterSender
        from oid in Parse.String(" OID:").Then(_ => Parse.AnyChar.Except(Parse.String(" Size:")).Many()).Optional()
        from size in Parse.Char(' ').Then(_ => KiloSize).Optional()
        from via in Parse.String(" via ").Then(_ => Parse.AnyChar.Many().Text()).Optional()
        select new RouterLine(id, recipient, sender.Trim(), hop, size.GetOrDefault(), via.IsDefined ? "via " + via.Get() : string.Empty);

    /// <summary><c>Message 003903B3 NOT transferred via SMTP to HOST for x@y from Jane Doe/Acme Size: 124K Error transferring to host; reason</c>.</summary>
    public static readonly Parser<RouterLine> NotTransferred =
        from id in RouterIds
        from verb in Parse.String("NOT transferred via ")
        from protocol in Parse.CharExcept(' ').AtLeastOnce().Text()
        from to in Parse.String(" to ")
        from hop in Until(" for ")
        from word in Parse.String(" for ")
        from recipient in Until(" from ")
        from fromWord in Parse.String(" from ")
        from sender in RouterSender
        from size in Parse.Char(' ').Then(_ => KiloSize).Optional()
        from error in Parse.AnyChar.Many().Text()
        select new RouterLine(id, recipient, sender.Trim(), hop, size.GetOrDefault(), error.Trim());

    private static int Hour24(int hour, char? half) => half switch
    {
        'A' => hour == 12 ? 0 : hour,
        'P' => hour == 12 ? 12 : hour + 12,
        _ => hour,
    };
}

/// <summary>What a Router line says of one recipient: the message, whom to, from whom, where it went, its size, and any error.</summary>
internal sealed record RouterLine(string NoteId, string Recipient, string Sender, string NextHop, ulong Size, string Detail);
