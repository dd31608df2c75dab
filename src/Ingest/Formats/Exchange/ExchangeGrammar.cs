using Sprache;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// The grammar of Exchange's transport logs (message tracking, SMTP receive and send protocol logs):
/// comma-separated records whose fields are bare or in double quotes (a doubled quote inside is one
/// quote), under a <c>#Fields:</c> header that names the columns. <see cref="ExchangeParser"/> reads the
/// columns by those names.
/// </summary>
internal static class ExchangeGrammar
{
    private static readonly Parser<string> Quoted =
        from open in Parse.Char('"')
        from text in Parse.String("\"\"").Return('"').Or(Parse.CharExcept('"')).Many().Text()
        from close in Parse.Char('"')
        select text;

    private static readonly Parser<string> Bare = Parse.CharExcept(',').Many().Text();

    /// <summary>One field: quoted when it starts with a quote (and then ends at its closing quote), else up to the next comma.</summary>
    public static readonly Parser<string> Field = Quoted.Or(Bare);

    /// <summary>A whole record, to the end of the line.</summary>
    public static readonly Parser<IReadOnlyList<string>> Record =
        from fields in Field.DelimitedBy(Parse.Char(','))
        from end in Parse.Return(0).End()
        select (IReadOnlyList<string>)[.. fields];

    /// <summary><c>#Fields: date-time,client-ip,…</c>: the column names, in order.</summary>
    public static readonly Parser<IReadOnlyList<string>> Fields =
        from header in Parse.String("#Fields:")
        from space in Parse.Char(' ').Many()
        from names in Record
        select names;
}
