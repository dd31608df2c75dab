using RelayWatch.Analysis.Scoring;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Scoring;

public sealed class FeatureDocumentationTests
{
    [Fact]
    public void EveryFeatureIsDocumentedWithItsMeaningAndNoOtherIs()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFolders.Find("docs", "the documentation"), "scoring.md"));
        // The features' table is the one under "## Features" (the labels' table further down names detectors).
        var features = text[text.IndexOf("## Features", StringComparison.Ordinal)..text.IndexOf("## Labels", StringComparison.Ordinal)];
        var documented = features.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Split('`')[1]).ToList();

        Assert.Equal(FeatureCatalog.NetworkNames, documented);
        foreach (var feature in FeatureCatalog.WithNetwork)
        {
            Assert.Contains($"| `{feature.Name}` | {feature.Meaning.Replace($"{{{nameof(FeatureCatalog.HistoryDays)}}}", "14", StringComparison.Ordinal)} |", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AClientsHeloCannotWriteEscapeSequencesOrScreensIntoAReason()
    {
        var hostile = "win-\u001b[31mred\u001b[0m\r\nFAKE LINE" + new string('x', 200);
        var row = new IpFeatureRow(new DateOnly(2026, 11, 24), "203.0.113.7", "203.0.113.0/24", hostile, "unknown", new float[FeatureCatalog.All.Count]);
        row.Values[FeatureCatalog.IndexOf("helo_random")] = 1;

        var reason = FeatureCatalog.All[FeatureCatalog.IndexOf("helo_random")].Describe(row)!;

        Assert.DoesNotContain(reason, char.IsControl);
        Assert.True(reason.Length < 100, reason);
        Assert.StartsWith("HELO looks generated (win-?[31mred?[0m??FAKE LINE", reason, StringComparison.Ordinal);
    }
}
