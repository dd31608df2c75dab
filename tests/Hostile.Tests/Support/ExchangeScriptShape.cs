using System.Management.Automation.Language;
using RelayWatch.Analysis.Blocklists;

namespace RelayWatch.Hostile.Tests.Support;

/// <summary>
/// Reads the Exchange export with PowerShell's own parser (Microsoft.PowerShell.SDK) and holds it to
/// the one shape it may have: the fixed command that removes RelayWatch's earlier entries, then one
/// <c>Add-IPBlockListEntry</c> per published entry whose every argument is a single-quoted literal.
/// Whatever a reason or a source says, nothing else may parse out of the script.
/// </summary>
internal static class ExchangeScriptShape
{
    private const string RemovePrevious = "Get-IPBlockListEntry | Where-Object { $_.Comment -like 'RelayWatch*' } | Remove-IPBlockListEntry -Confirm:$false";

    /// <summary>A comment made of the whitelist's words only: what listed the entry and the day.</summary>
    private const string Comment = @"^RelayWatch: [a-z0-9_]+(, [a-z0-9_]+)*; listed \d{4}-\d{2}-\d{2}$";

    public static void AssertHoldsOnly(IReadOnlyList<BlocklistEntry> published, ScriptBlockAst script, ParseError[] errors)
    {
        Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}"));
        Assert.Null(script.ParamBlock);
        Assert.Null(script.DynamicParamBlock);
        Assert.Null(script.BeginBlock);
        Assert.Null(script.ProcessBlock);
        var statements = script.EndBlock.Statements;
        Assert.Equal(published.Count + 1, statements.Count);
        Assert.Equal(RemovePrevious, statements[0].Extent.Text);
        for (var i = 0; i < published.Count; i++)
        {
            var entry = published[i];
            var command = Assert.IsType<CommandAst>(Assert.Single(Assert.IsType<PipelineAst>(statements[i + 1]).PipelineElements));
            Assert.Equal(TokenKind.Unknown, command.InvocationOperator);
            Assert.Empty(command.Redirections);
            var name = Assert.IsType<StringConstantExpressionAst>(command.CommandElements[0]);
            Assert.Equal(("Add-IPBlockListEntry", StringConstantType.BareWord), (name.Value, name.StringConstantType));

            var rest = command.CommandElements.Skip(1).ToList();
            Assert.Equal(6, rest.Count);
            var parameters = rest.Where((_, j) => j % 2 == 0).Select(e => Assert.IsType<CommandParameterAst>(e)).ToList();
            Assert.All(parameters, p => Assert.Null(p.Argument));
            var values = rest.Where((_, j) => j % 2 == 1).Select(e => Assert.IsType<StringConstantExpressionAst>(e)).ToList();
            Assert.All(values, v => Assert.Equal(StringConstantType.SingleQuoted, v.StringConstantType));

            Assert.Equal([entry.Subject.Contains('/', StringComparison.Ordinal) ? "IPRange" : "IPAddress", "ExpirationTime", "Comment"], parameters.Select(p => p.ParameterName));
            Assert.Equal(entry.Subject, values[0].Value);
            Assert.Equal(entry.ExpiresAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), values[1].Value);
            Assert.Matches(Comment, values[2].Value);
        }
    }

    public static void AssertHoldsOnly(IReadOnlyList<BlocklistEntry> published, string script)
    {
        var ast = Parser.ParseInput(script, out _, out var errors);
        AssertHoldsOnly(published, ast, errors);
    }
}
