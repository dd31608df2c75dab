using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Tests.Templates;

/// <summary>How a field ends: at the next literal outside the addresses and quoted strings the client wrote.</summary>
public sealed class CompiledTemplateTests
{
    private static readonly CompiledTemplate Refusal = new("{detail}; from=<{mail_from}> to=<{rcpt_to}> proto={proto} helo=<{helo}>");

    [Theory]
    // The usual line: nothing to skip.
    [InlineData("550 <a@b>: User unknown; from=<x@y> to=<a@b> proto=ESMTP helo=<h>", "550 <a@b>: User unknown", "x@y", "a@b")]
    // The client's recipient holds the template's own literals, inside angle brackets and quotes.
    [InlineData("554 <\"a; from=<c@d> to=<e>\"@f>: Relay access denied; from=<x@y> to=<\"a; from=<c@d> to=<e>\"@f> proto=ESMTP helo=<h>",
        "554 <\"a; from=<c@d> to=<e>\"@f>: Relay access denied", "x@y", "\"a; from=<c@d> to=<e>\"@f")]
    // A bracket never closed is an ordinary character: the line reads as it did before.
    [InlineData("550 <a: User unknown; from=<x@y> to=<a> proto=ESMTP helo=<h>", "550 <a: User unknown", "x@y", "a")]
    public void AFieldEndsAtTheNextLiteralOutsideTheClientsWords(string line, string detail, string mailFrom, string rcptTo)
    {
        Span<Range> captures = stackalloc Range[Refusal.FieldNames.Count];

        Assert.True(Refusal.TryMatch(line, captures));
        var fields = new LineFields(line, Refusal, captures);
        Assert.Equal((detail, mailFrom, rcptTo, "h"), (fields.GetString("detail"), fields.GetString("mail_from"), fields.GetString("rcpt_to"), fields.GetString("helo")));
    }
}
