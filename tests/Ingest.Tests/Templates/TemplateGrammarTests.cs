using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Tests.Templates;

public sealed class TemplateGrammarTests
{
    [Fact]
    public void ATemplateIsLiteralsAndFields()
    {
        var segments = TemplateGrammar.ParseSegments("connect from {client_host}[{client_ip}]");

        Assert.Equal(
            [new LiteralSegment("connect from "), new FieldSegment("client_host"), new LiteralSegment("["), new FieldSegment("client_ip"), new LiteralSegment("]")],
            segments);
    }

    [Fact]
    public void DoubledBracesAreLiteralBraces()
    {
        Assert.Equal([new LiteralSegment("a{b}c")], TemplateGrammar.ParseSegments("a{{b}}c"));
    }

    [Fact]
    public void AnUnclosedFieldIsReportedWithItsColumn()
    {
        var error = Assert.Throws<FormatException>(() => TemplateGrammar.ParseSegments("from {client"));

        Assert.StartsWith("The template \"from {client\" is malformed at column 6: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoFieldsInARowAreRefused()
    {
        var error = Assert.Throws<FormatException>(() => TemplateGrammar.ParseSegments("{a}{b}"));

        Assert.Equal("The template \"{a}{b}\" has two fields in a row; put literal text between them.", error.Message);
    }

    [Theory]
    [InlineData("connect from mail.example.net[203.0.113.7]", true, "mail.example.net", "203.0.113.7")]
    [InlineData("connect from unknown[2001:db8::1]", true, "unknown", "2001:db8::1")]
    [InlineData("connect from x[1.2.3.4] extra", false, "", "")]
    [InlineData("disconnect from x[1.2.3.4]", false, "", "")]
    public void ACompiledTemplateMatchesWholeLines(string line, bool matches, string host, string ip)
    {
        var template = new CompiledTemplate("connect from {client_host}[{client_ip}]");
        Span<Range> captures = stackalloc Range[2];

        Assert.Equal(matches, template.TryMatch(line, captures));
        if (matches)
        {
            Assert.Equal(host, line[captures[0]]);
            Assert.Equal(ip, line[captures[1]]);
        }
    }

    [Fact]
    public void ATrailingLiteralAnchorsAtTheEndOfTheLine()
    {
        var template = new CompiledTemplate("status={status} ({detail})");
        Span<Range> captures = stackalloc Range[2];
        const string line = "status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok)";

        Assert.True(template.TryMatch(line, captures));
        Assert.Equal("250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok", line[captures[1]]);
    }
}
