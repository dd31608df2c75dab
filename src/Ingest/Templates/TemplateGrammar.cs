using Sprache;

namespace RelayWatch.Ingest.Templates;

/// <summary>
/// The Sprache grammar of line templates, the notation in which every log format's line kinds are
/// written: literal text with <c>{field}</c> placeholders, <c>{{</c> and <c>}}</c> for braces.
/// <code>NOQUEUE: reject: {stage} from {client_host}[{client_ip}]: {smtp_code} {dsn} {detail}; from=&lt;{mail_from}&gt;</code>
/// Templates are parsed once, at start-up; lines are then matched by <see cref="CompiledTemplate"/>.
/// </summary>
internal static class TemplateGrammar
{
    private static readonly Parser<char> EscapedOpen = Parse.String("{{").Return('{');

    private static readonly Parser<char> EscapedClose = Parse.String("}}").Return('}');

    private static readonly Parser<char> LiteralChar = EscapedOpen.Or(EscapedClose).Or(Parse.CharExcept("{}"));

    private static readonly Parser<TemplateSegment> Literal =
        LiteralChar.AtLeastOnce().Text().Select(text => (TemplateSegment)new LiteralSegment(text)).Named("literal text");

    private static readonly Parser<string> FieldName =
        Parse.Char(c => char.IsAsciiLetterLower(c) || c == '_', "lower-case letter or underscore")
            .Then(first => Parse.Char(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_', "field name character").Many().Text()
                .Select(rest => first + rest));

    private static readonly Parser<TemplateSegment> Field =
        (from open in Parse.Char('{')
         from name in FieldName
         from close in Parse.Char('}')
         select (TemplateSegment)new FieldSegment(name)).Named("{field}");

    private static readonly Parser<IEnumerable<TemplateSegment>> Template = Literal.Or(Field).Many().End();

    /// <summary>Parses a template, or says where and why it is malformed.</summary>
    public static IReadOnlyList<TemplateSegment> ParseSegments(string template)
    {
        var result = Template.TryParse(template);
        if (!result.WasSuccessful)
        {
            throw new FormatException($"The template \"{template}\" is malformed at column {result.Remainder.Column}: {result.Message}.");
        }

        var segments = result.Value.ToList();
        for (var i = 1; i < segments.Count; i++)
        {
            if (segments[i] is FieldSegment && segments[i - 1] is FieldSegment)
            {
                throw new FormatException($"The template \"{template}\" has two fields in a row; put literal text between them.");
            }
        }

        return segments;
    }
}
