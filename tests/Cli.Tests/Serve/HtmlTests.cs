using RelayWatch.Cli.Serve;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>What the console writes out of attacker-controlled text: HTML and CSV.</summary>
public sealed class HtmlTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("a\"b'c&d", "a&quot;b&#39;c&amp;d")]
    [InlineData("evil\u202Egpj.exe", "evil<span class=\"mark\">‹U+202E›</span>gpj.exe")]
    [InlineData("zero\u200Bwidth\0nul", "zero<span class=\"mark\">‹U+200B›</span>width<span class=\"mark\">‹U+0000›</span>nul")]
    [InlineData("mail.example", "mail.example")]
    [InlineData("", "")]
    public void TextIsEncodedAndInvisibleCharactersAreShown(string value, string expected) => Assert.Equal(expected, Html.Text(value));

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("2001:db8::/48", "2001:db8::/48")]
    public void CsvCellsCannotBecomeFormulas(string value, string expected) => Assert.Equal(expected, ConsolePages.CsvCell(value));
}
