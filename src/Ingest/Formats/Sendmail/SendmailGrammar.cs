using Sprache;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// The grammar of Sendmail's records after the queue id: comma-separated <c>key=value</c> fields
/// (<c>from=&lt;a@b&gt;, size=1234, …, relay=host [ip] (may be forged)</c>), a value running to the next
/// <c>", key="</c> or the end, so that replies with commas (<c>stat=Sent (Ok, queued)</c>) stay whole; and
/// the client in a <c>relay=</c> value. <see cref="SendmailParser"/> decides what kind of record it is.
/// </summary>
internal static class SendmailGrammar
{
    private static readonly Parser<string> Key =
        Parse.Char(c => char.IsAsciiLetterOrDigit(c) || c == '_', "field name").AtLeastOnce().Text();

    /// <summary><c>", key="</c>: where one value ends and the next field begins.</summary>
    private static readonly Parser<string> Separator =
        from comma in Parse.String(", ")
        from key in Key
        from assign in Parse.Char('=')
        select key;

    private static readonly Parser<KeyValuePair<string, string>> Field =
        from key in Key
        from assign in Parse.Char('=')
        from value in Parse.AnyChar.Except(Separator).Many().Text()
        select new KeyValuePair<string, string>(key, value);

    /// <summary>A whole field list, to the end of the line.</summary>
    public static readonly Parser<IReadOnlyList<KeyValuePair<string, string>>> Fields =
        from fields in Field.DelimitedBy(Parse.String(", "))
        from end in Parse.Return(0).End()
        select (IReadOnlyList<KeyValuePair<string, string>>)[.. fields];
}
