using RelayWatch.Reports.Tests.Support;

namespace RelayWatch.Reports.Tests.Rendering;

public sealed class ReportPagesTests(SampleDayFixture sample) : IClassFixture<SampleDayFixture>
{
    private static readonly string[] Sections =
        ["1. Summary", "2. Findings by detector", "3. Scored IPs", "4. Blocklist changes", "5. Traffic and capacity", "6. Data quality", "7. Our domains as others see them", "8. Where the attacks came from"];

    [Fact]
    public async Task TheHtmlPageHasEverySectionAndEveryChartInlineAndFetchesNothing()
    {
        var written = await ReportWriter.WriteAsync(sample.Report, Folder(), ["html"], CancellationToken.None);
        var html = await File.ReadAllTextAsync(written.Html!);

        foreach (var section in Sections)
        {
            Assert.Contains($">{section}</h2>", html, StringComparison.Ordinal);
        }

        Assert.Equal(6, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("http://", html.Replace("http-equiv", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.Null(written.Markdown);
        Assert.Null(written.Json);
    }

    [Fact]
    public async Task TheMarkdownHasEverySectionAndLinksTheChartsWrittenBesideIt()
    {
        var folder = Folder();
        var written = await ReportWriter.WriteAsync(sample.Report, folder, ["md"], CancellationToken.None);
        var markdown = await File.ReadAllTextAsync(written.Markdown!);

        foreach (var section in Sections)
        {
            Assert.Contains($"## {section.Replace(".", "\\.", StringComparison.Ordinal)}\n", markdown, StringComparison.Ordinal);
        }

        Assert.Equal(6, written.Charts.Count);
        Assert.All(written.Charts, chart => Assert.Contains($"](report-2026-11-24-charts/{Path.GetFileName(chart)})", markdown, StringComparison.Ordinal));
        Assert.Null(written.Html);
    }

    private static string Folder() => Path.Combine(Path.GetTempPath(), "relaywatch-report-tests", Guid.NewGuid().ToString("N"));
}
