using System.Text.RegularExpressions;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Store.Tests.Schema;

/// <summary>
/// The schema's vocabulary (src/Store/Vocabulary) against what it describes: the table the migrations
/// build, the documentation, and every SQL literal the code compares a vocabulary column with — so a
/// retyped literal that names no event, reason, severity or detector (a typo that would match nothing,
/// silently) fails here.
/// </summary>
public sealed partial class VocabularyTests
{
    [Fact]
    public async Task TheEventsTableHasExactlyTheVocabularysColumns()
    {
        await using var store = await TestEngine.OpenAsync();

        var columns = await store.QueryListAsync($"SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '{SmtpEventsTable.Name}' ORDER BY name", null, CancellationToken.None);

        Assert.Equal(SmtpEventsTable.Columns.Order(StringComparer.Ordinal), columns.Select(c => c[0]));
    }

    [Fact]
    public void EveryWordOfTheVocabularyIsDocumentedInTheSchema()
    {
        var schema = File.ReadAllText(Path.Combine(RepositoryFolders.Root, "docs", "schema.md"));
        var detectors = File.ReadAllText(Path.Combine(RepositoryFolders.Root, "docs", "detectors.md"));

        var undocumented = EventNames.All.Concat(Reasons.All).Concat(SpfVerdicts.All).Concat(Severities.All).Where(w => !schema.Contains($"`{w}`", StringComparison.Ordinal))
            .Concat(DetectorNames.All.Where(d => !detectors.Contains($"`{d}`", StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(undocumented);
    }

    [Fact]
    public void EverySqlLiteralComparedWithAVocabularyColumnIsAWordOfTheVocabulary()
    {
        var words = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["event"] = [.. EventNames.All],
            ["reason"] = [.. Reasons.All, .. SpfVerdicts.All, string.Empty],
            ["severity"] = [.. Severities.All],
            ["detector"] = [.. DetectorNames.All],
        };
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryFolders.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var unknown = new List<string>();
        var seen = 0;
        foreach (var file in sources)
        {
            foreach (var (column, literal) in Literals(File.ReadAllText(file)).Where(l => !l.Literal.Contains('{', StringComparison.Ordinal)))
            {
                seen++;
                if (!words[column].Contains(literal))
                {
                    unknown.Add($"{Path.GetRelativePath(RepositoryFolders.Root, file)}: {column} '{literal}'");
                }
            }
        }

        Assert.True(seen > 100, $"only {seen} literals were found: the scan no longer sees the SQL");
        Assert.Empty(unknown);
    }

    [Theory]
    [InlineData("countIf(event = 'rcpt_rejct')", "event", "rcpt_rejct")]
    [InlineData("WHERE reason IN ('user_unknown', 'relay_denid')", "reason", "relay_denid")]
    public void TheScanSeesATypo(string sql, string column, string literal) => Assert.Contains((column, literal), Literals(sql));

    /// <summary>The string literals a text compares a vocabulary column with (<c>=</c>, <c>!=</c>, <c>IN (…)</c>).</summary>
    private static IEnumerable<(string Column, string Literal)> Literals(string text) =>
        Comparison().Matches(text).Select(m => (m.Groups["column"].Value, m.Groups["literal"].Value))
            .Concat(Membership().Matches(text).SelectMany(m => QuotedLiteral().Matches(m.Groups["list"].Value).Select(l => (m.Groups["column"].Value, l.Groups[1].Value))));

    [GeneratedRegex(@"\b(?<column>event|reason|severity|detector)\s*(?:=|!=|<>)\s*'(?<literal>[^']*)'")]
    private static partial Regex Comparison();

    [GeneratedRegex(@"\b(?<column>event|reason|severity|detector)\s+(?:NOT\s+)?IN\s*\((?<list>[^)]*)\)")]
    private static partial Regex Membership();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedLiteral();
}
