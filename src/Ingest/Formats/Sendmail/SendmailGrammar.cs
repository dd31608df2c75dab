using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;
using Sprache;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// The grammar of Sendmail's records after the queue id: comma-separated <c>key=value</c> fields
/// (<c>from=&lt;a@b&gt;, size=1234, …, relay=host [ip] (may be forged)</c>). A value runs to the next
/// <c>", key="</c> or the end, so that replies with commas stay whole; an address in angle brackets and a
/// quoted string are opaque inside it, because they are the client's words
/// (<c>arg1=&lt;"a, relay=x [192.0.2.44]"@b&gt;</c>); and the reply fields <c>reject=</c> and <c>stat=</c>, which
/// Sendmail writes last and which echo the client's words, run to the end of the line.
/// <see cref="SendmailParser"/> decides what kind of record it is.
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

    /// <summary><c>"…"</c>, a backslash escaping the next character.</summary>
    private static readonly Parser<string> Quoted =
        from open in Parse.Char('"')
        from body in Parse.Char('\\').Then(_ => Parse.AnyChar.Select(c => "\\" + c)).Or(Parse.CharExcept("\"\\").Select(c => c.ToString())).Many()
        from close in Parse.Char('"')
        select "\"" + string.Concat(body) + "\"";

    /// <summary><c>&lt;…&gt;</c>, quoted strings inside it opaque.</summary>
    private static readonly Parser<string> Angled =
        from open in Parse.Char('<')
        from body in Quoted.Or(Parse.CharExcept('>').Select(c => c.ToString())).Many()
        from close in Parse.Char('>')
        select "<" + string.Concat(body) + ">";

    /// <summary>A value: addresses, quoted strings and other characters, up to a separator outside them.</summary>
    private static readonly Parser<string> Value =
        Angled.Or(Quoted).Or(Parse.AnyChar.Select(c => c.ToString())).Except(Separator).Many().Select(string.Concat);

    private static readonly Parser<KeyValuePair<string, string>> Field =
        from key in Key
        from assign in Parse.Char('=')
        from value in SendmailFields.IsTail(key) ? Parse.AnyChar.Many().Text() : Value
        select new KeyValuePair<string, string>(key, value);

    /// <summary>A whole field list, to the end of the line.</summary>
    public static readonly Parser<IReadOnlyList<KeyValuePair<string, string>>> Fields =
        from fields in Field.DelimitedBy(Parse.String(", "))
        from end in Parse.Return(0).End()
        select (IReadOnlyList<KeyValuePair<string, string>>)[.. fields];

    /// <summary>
    /// The records about a connection that name its client in the text rather than in a <c>relay=</c> field, in
    /// Sendmail's wording, tried in order (first match wins). <c>{client}</c> is <c>host [ip]</c>, <c>[ip]</c> or
    /// <c>host [ip] (may be forged)</c>; the rest is the MTA's own words or the client's (<c>{argument}</c>).
    /// </summary>
    public static readonly LineKind[] HostLineKinds =
    [
        new("sendmail.lost_input", "lost input channel from {client} to {daemon} after {stage}", EventNames.LostConnection),
        new("sendmail.lost_input", "lost input channel from {client} to {daemon}", EventNames.LostConnection),
        new("sendmail.pregreet", "rejecting commands from {client} due to pre-greeting traffic after {seconds} seconds", EventNames.Pregreet),
        new("sendmail.rejecting_commands", "rejecting commands from {client} due to {detail}", EventNames.Reject),
        new("sendmail.timeout", "timeout waiting for input from {client} during {stage}", EventNames.Timeout),
        new("sendmail.no_transaction", "{client} did not issue {commands} during connection to {daemon}", EventNames.NoTransaction),
        new("sendmail.smtp_attack", "{client}: possible SMTP attack: command={command}, count={count}", EventNames.ProtocolViolation),
        // EXPN and VRFY refused (PrivacyOptions noexpn, novrfy, goaway): a client trying to list our users.
        new("sendmail.expn_vrfy_rejected", "{client}: {command} {argument} [rejected]", EventNames.Reject),
        new("sendmail.connect", "connect from {client}", EventNames.Connect),
    ];

    /// <summary>
    /// Ruleset refusals whose reply says the client was throttled rather than refused (<c>ruleset=check_relay, …,
    /// reject=421 4.3.2 Connection rate limit exceeded.</c>, from the ratecontrol and conncontrol features).
    /// </summary>
    public static readonly string[] RateLimitReplies = ["Connection rate limit exceeded", "Too many open connections"];
}
