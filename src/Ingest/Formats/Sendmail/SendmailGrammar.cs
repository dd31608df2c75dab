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
    /// Every kind of line Sendmail writes after the queue id, in Sendmail's wording, tried in order (first match
    /// wins): records of <see cref="Fields"/> by their first field, the lines that name the client in their text,
    /// then the lines known to carry nothing RelayWatch stores. Any other line is unrecognised, so a new wording
    /// shows in the data-quality counts instead of vanishing. <c>{client}</c> is <c>host [ip]</c>, <c>[ip]</c> or
    /// <c>host [ip] (may be forged)</c>; <c>{fields}</c> is a record of <see cref="Fields"/>.
    /// </summary>
    public static readonly SendmailKind[] Kinds =
    [
        Read(SendmailReading.Envelope, "sendmail.from", "from={fields}", EventNames.Message),
        Read(SendmailReading.Delivery, "sendmail.to", "to={fields}", EventNames.Delivery),
        Read(SendmailReading.Ruleset, "sendmail.ruleset", "ruleset={fields}", EventNames.Reject),
        Read(SendmailReading.ClientNote, "sendmail.auth", "AUTH=server, {fields}", null),
        Read(SendmailReading.ClientNote, "sendmail.starttls", "STARTTLS=server, {fields}", null),
        Read(SendmailReading.AuthFailure, "sendmail.auth_failure", "AUTH failure ({sasl_method}): {detail}", EventNames.AuthFailure),
        Read(SendmailReading.Milter, "sendmail.milter", "Milter: {text}", EventNames.RcptReject),
        Read(SendmailReading.RecipientError, "sendmail.recipient_error", "<{rcpt_to}>... {detail}", EventNames.RcptReject),
        Client("sendmail.lost_input", "lost input channel from {client} to {daemon} after {stage}", EventNames.LostConnection),
        Client("sendmail.lost_input", "lost input channel from {client} to {daemon}", EventNames.LostConnection),
        Client("sendmail.pregreet", "rejecting commands from {client} due to pre-greeting traffic after {seconds} seconds", EventNames.Pregreet),
        Client("sendmail.rejecting_commands", "rejecting commands from {client} due to {detail}", EventNames.Reject),
        Client("sendmail.timeout", "timeout waiting for input from {client} during {stage}", EventNames.Timeout),
        Client("sendmail.connect", "connect from {client}", EventNames.Connect),
        Skipped("sendmail.starttls_client", "STARTTLS=client, {_}"),
        Skipped("sendmail.auth_client", "AUTH=client, {_}"),
        // TLS plumbing: "STARTTLS: read error=…", "STARTTLS=server: …", "STARTTLS=client: …", "TLS: error: …".
        Skipped("sendmail.starttls_note", "STARTTLS{_}"),
        Skipped("sendmail.tls_note", "TLS: {_}"),
        // A milter's notes that refuse nothing: "Milter (greylist): init success", "Milter add: header: …", "Milter accept: message".
        Skipped("sendmail.milter_note", "Milter{_}"),
        // The daemon and the queue runner about themselves; notifications Sendmail prepares (their DSN: line is stored).
        Skipped("sendmail.daemon", "starting daemon ({_}): {_}"),
        Skipped("sendmail.aliases", "alias database {_}"),
        Skipped("sendmail.queue_done", "done; delay={_}"),
        Skipped("sendmail.sender_notify", "sender notify: {_}"),
        Skipped("sendmail.postmaster_notify", "postmaster notify: {_}"),
        Skipped("sendmail.return_to_sender", "return to sender: {_}"),
        Skipped("sendmail.clone", "clone {_}"),
        Skipped("sendmail.syserr", "SYSERR({_}): {_}"),
        Skipped("sendmail.collect", "collect: {_}"),
        Skipped("sendmail.losing", "Losing {_}"),
        Skipped("sendmail.rejecting_connections", "rejecting connections on daemon {_}"),
        Skipped("sendmail.accepting_connections", "accepting connections again for daemon {_}"),
        // The lines that start with a field: tried last, as each looks for its words through the whole line.
        Read(SendmailReading.Dsn, "sendmail.dsn", "{ndr_queue_id}: DSN: {detail}", EventNames.NdrSent),
        Client("sendmail.no_transaction", "{client} did not issue {commands} during connection to {daemon}", EventNames.NoTransaction),
        Client("sendmail.smtp_attack", "{client}: possible SMTP attack: command={command}, count={count}", EventNames.ProtocolViolation),
        // EXPN and VRFY refused (PrivacyOptions noexpn, novrfy, goaway): a client trying to list our users.
        Client("sendmail.expn_vrfy_rejected", "{client}: {command} {argument} [rejected]", EventNames.Reject),
        // EXPN and VRFY answered, logged at LogLevel 5 and above ("[ip]: expn root"): not refused, and not stored.
        Skipped("sendmail.expn", "{_}: expn {_}"),
        Skipped("sendmail.vrfy", "{_}: vrfy {_}"),
        Skipped("sendmail.aliases_rebuilt", "{_}: {_} aliases, longest {_} bytes, {_} bytes total"),
    ];

    /// <summary>
    /// The rows of <see cref="Kinds"/> a line starting with <paramref name="first"/> can match, in table order: those
    /// whose template starts with that character and those that start with a field. Walking them instead of the
    /// whole table is the same first match, without trying the rows whose first words cannot be there.
    /// </summary>
    public static SendmailKind[] KindsStartingWith(char first) => first < KindsByFirstCharacter.Length ? KindsByFirstCharacter[first] : KindsStartingWithAField;

    private static readonly SendmailKind[] KindsStartingWithAField = [.. Kinds.Where(k => k.Line.Template.FirstLiteral is null)];

    private static readonly SendmailKind[][] KindsByFirstCharacter =
        [.. Enumerable.Range(0, 128).Select(c => Kinds.Where(k => k.Line.Template.FirstLiteral is not { } literal || literal[0] == c).ToArray())];

    /// <summary>
    /// Ruleset refusals whose reply says the client was throttled rather than refused (<c>ruleset=check_relay, …,
    /// reject=421 4.3.2 Connection rate limit exceeded.</c>, from the ratecontrol and conncontrol features).
    /// </summary>
    public static readonly string[] RateLimitReplies = ["Connection rate limit exceeded", "Too many open connections"];

    private static SendmailKind Read(SendmailReading reading, string name, string template, string? eventName) => new(reading, new LineKind(name, template, eventName));

    private static SendmailKind Client(string name, string template, string eventName) => Read(SendmailReading.ClientLine, name, template, eventName);

    private static SendmailKind Skipped(string name, string template) => new(SendmailReading.Skipped, LineKind.Skipped(name, template));
}
