using RelayWatch.Analysis.Scoring;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Scoring;

public sealed class FeatureDocumentationTests
{
    [Fact]
    public void EveryFeatureIsDocumentedWithItsMeaningAndNoOtherIs()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFolders.Find("docs", "the documentation"), "scoring.md"));
        var documented = text.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Split('`')[1]).ToList();

        Assert.Equal(FeatureCatalog.Names, documented);
        foreach (var feature in FeatureCatalog.All)
        {
            Assert.Contains($"| `{feature.Name}` | {feature.Meaning.Replace($"{{{nameof(FeatureCatalog.HistoryDays)}}}", "14", StringComparison.Ordinal)} |", text, StringComparison.Ordinal);
        }
    }
}
