using Sprache;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// The grammar of Exim's mainlog, leaf to root: the line prefix (<c>2026-11-24 10:00:00.123 +0100 [1234]</c>,
/// every part after the date optional), message ids (<c>1tAbCd-000123-4x</c> and the newer
/// <c>1tAbCd-00000000123-45x</c>), host specifications (<c>name (helo) [ip]:port</c>) and the
/// <c>K=value</c> field lists that follow them (<c>H=</c>, <c>P=</c>, <c>S=</c>, <c>id=</c>, quoted
/// <c>C="…"</c>, bare flags such as <c>K</c>). Which kind of line it is, the table <see cref="EximLineKinds"/>
/// says in Exim's wording; the span readers (<see cref="EximPrefix"/>, <see cref="EximFieldReader"/>) that read
/// these pieces on the hot path are held to this grammar by tests over the corpora.
/// </summary>
internal static class EximGrammar
{
    private static readonly Parser<char> Digit = Parse.Char(char.IsAsciiDigit, "digit");

    private static Parser<int> Number(int digits) => Digit.Repeat(digits).Text().Select(t => int.Parse(t, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c>, then optionally <c>.fff</c> or <c>.ffffff</c>.</summary>
    public static readonly Parser<EximTimestamp> Timestamp =
        from year in Number(4)
        from d1 in Parse.Char('-')
        from month in Number(2)
        from d2 in Parse.Char('-')
        from day in Number(2)
        from space in Parse.Char(' ')
        from hour in Number(2)
        from c1 in Parse.Char(':')
        from minute in Number(2)
        from c2 in Parse.Char(':')
        from second in Number(2)
        from fraction in Parse.Char('.').Then(_ => Digit.AtLeastOnce().Text()).Optional()
        from zone in (from s in Parse.Char(' ')
                      from sign in Parse.Chars('+', '-')
                      from hh in Number(2)
                      from mm in Number(2)
                      select (sign == '-' ? -1 : 1) * ((hh * 60) + mm)).Optional()
        select new EximTimestamp(year, month, day, hour, minute, second, Microseconds(fraction.GetOrDefault()), zone.IsDefined ? zone.Get() : null);

    /// <summary>The process id log_selector <c>+pid</c> adds: <c>[1234]</c>.</summary>
    public static readonly Parser<int> Pid =
        from open in Parse.Char('[')
        from pid in Digit.AtLeastOnce().Text()
        from close in Parse.Char(']')
        select int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The whole prefix of a native line: the stamp, the pid when logged, and the space before the text.</summary>
    public static readonly Parser<EximTimestamp> Prefix =
        from stamp in Timestamp
        from pid in Parse.Char(' ').Then(_ => Pid).Optional()
        from space in Parse.Char(' ').Optional()
        select stamp;

    private static readonly Parser<char> IdChar = Parse.Char(char.IsAsciiLetterOrDigit, "base-62 digit");

    /// <summary>A message id: six base-62 digits, a dash, six (or eleven) more, a dash, two (or four) more.</summary>
    public static readonly Parser<string> MessageId =
        from time in IdChar.Repeat(6).Text()
        from d1 in Parse.Char('-')
        from pid in IdChar.AtLeastOnce().Text()
        from d2 in Parse.Char('-')
        from fraction in IdChar.AtLeastOnce().Text()
        where pid.Length is 6 or 11 && fraction.Length is 2 or 4
        select $"{time}-{pid}-{fraction}";

    private static readonly Parser<string> Address =
        Parse.Char(c => char.IsAsciiHexDigit(c) || c is '.' or ':', "IP address character").AtLeastOnce().Text();

    private static readonly Parser<string> HostName =
        Parse.Char(c => !char.IsWhiteSpace(c) && c is not ('(' or ')' or '[' or ']'), "host name character").AtLeastOnce().Text();

    private static readonly Parser<string> Helo =
        from open in Parse.Char('(')
        from helo in Parse.CharExcept(')').Many().Text()
        from close in Parse.Char(')')
        select helo;

    /// <summary>
    /// <c>name (helo) [ip]:port</c>: every part but the address optional; the HELO is shown only when it
    /// differs from the name, and Exim shows <c>(helo)</c> alone when there is no verified name.
    /// </summary>
    public static readonly Parser<EximHost> Host =
        from name in HostName.Then(n => Parse.Char(' ').Return(n)).Optional()
        from helo in Helo.Then(h => Parse.Char(' ').Return(h)).Optional()
        from open in Parse.Char('[')
        from written in Address
        let ip = ClientAddress.Canonical(written)
        where ip is not null
        from close in Parse.Char(']')
        from port in Parse.Char(':').Then(_ => Digit.AtLeastOnce().Text()).Optional()
        select new EximHost(name.GetOrDefault() ?? string.Empty, helo.GetOrDefault() ?? string.Empty, ip);

    private static readonly Parser<string> Quoted =
        from open in Parse.Char('"')
        from text in Parse.String("\\\"").Return('"').Or(Parse.String("\\\\").Return('\\')).Or(Parse.CharExcept('"')).Many().Text()
        from close in Parse.Char('"')
        select text;

    /// <summary>An envelope address in angle brackets, as <c>F=&lt;…&gt;</c> and <c>rejected RCPT &lt;…&gt;</c> give it.</summary>
    public static readonly Parser<string> Angled =
        from open in Parse.Char('<')
        from address in Parse.CharExcept('>').Many().Text()
        from close in Parse.Char('>')
        select address;

    private static readonly Parser<string> Bare = Parse.Char(c => !char.IsWhiteSpace(c), "value").AtLeastOnce().Text();

    private static readonly Parser<string> Key =
        Parse.Char(c => char.IsAsciiLetter(c) || c == '_', "field name").AtLeastOnce().Text();

    /// <summary>One <c>K=value</c>: <c>H=</c> holds a host specification, <c>F=</c> an angled address, others a quoted or bare value; the value ends at white space or the line's end, else the item is a word.</summary>
    private static readonly Parser<EximField> KeyValue =
        from key in Key
        from assign in Parse.Char('=')
        from field in key switch
        {
            "H" => Host.Select(h => new EximField(key, h.Ip, h)),
            "F" => Angled.Or(Bare).Select(v => new EximField(key, v)),
            _ => Quoted.Or(Bare).Or(Parse.Return(string.Empty)).Select(v => new EximField(key, v)),
        }
        from boundary in Parse.Not(Parse.Char(c => !char.IsWhiteSpace(c), "the end of the value"))
        select field;

    /// <summary>A word that is no field (a bare flag such as <c>K</c>, or the text of <c>from &lt;x&gt; for y</c>): kept, not interpreted.</summary>
    private static readonly Parser<EximField> Word = Bare.Select(word => new EximField(string.Empty, word));

    /// <summary>A space-separated field list, to the end of the line.</summary>
    public static readonly Parser<IReadOnlyList<EximField>> Fields =
        from leading in Parse.WhiteSpace.Many()
        from fields in KeyValue.Or(Word).DelimitedBy(Parse.WhiteSpace.AtLeastOnce()).Optional()
        from trailing in Parse.WhiteSpace.Many()
        from end in Parse.Return(0).End()
        select (IReadOnlyList<EximField>)[.. fields.GetOrElse([])];

    private static int Microseconds(string? fraction) =>
        string.IsNullOrEmpty(fraction) ? 0 : int.Parse(fraction.PadRight(6, '0')[..6], System.Globalization.CultureInfo.InvariantCulture);
}
