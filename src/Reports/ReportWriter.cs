using System.Text;
using RelayWatch.Reports.Charts;
using RelayWatch.Reports.Content;
using RelayWatch.Reports.Rendering;

namespace RelayWatch.Reports;

/// <summary>
/// Writes a report into a folder: <c>report-DAY.html</c> (self-contained), <c>report-DAY.md</c> with its
/// charts in <c>report-DAY-charts/</c>, and <c>report-DAY.json</c>. Each file is written under a temporary
/// name and renamed, so a reader never sees half a report and a failure leaves the previous one.
/// </summary>
public static class ReportWriter
{
    public static IReadOnlyList<string> Formats { get; } = ["html", "md", "json"];

    public static async Task<WrittenReport> WriteAsync(DailyReport report, string directory, IReadOnlyCollection<string> formats, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(formats);
        Directory.CreateDirectory(directory);
        var stem = $"report-{report.Day:yyyy-MM-dd}";
        var wantsPages = formats.Contains("html") || formats.Contains("md");
        var charts = wantsPages ? ReportCharts.Render(report) : [];
        var document = ReportDocumentBuilder.Build(report, charts);

        string? html = null, markdown = null, json = null;
        var chartFiles = new List<string>();
        if (formats.Contains("md"))
        {
            var folder = Path.Combine(directory, stem + "-charts");
            Directory.CreateDirectory(folder);
            foreach (var chart in charts)
            {
                var path = Path.Combine(folder, chart.Id + ".png");
                await WriteAtomicallyAsync(path, chart.Png, cancellationToken).ConfigureAwait(false);
                chartFiles.Add(path);
            }

            markdown = Path.Combine(directory, stem + ".md");
            await WriteAtomicallyAsync(markdown, Encoding.UTF8.GetBytes(MarkdownRenderer.Render(document, charts, stem + "-charts")), cancellationToken).ConfigureAwait(false);
        }

        if (formats.Contains("html"))
        {
            html = Path.Combine(directory, stem + ".html");
            await WriteAtomicallyAsync(html, Encoding.UTF8.GetBytes(HtmlRenderer.Render(document, charts)), cancellationToken).ConfigureAwait(false);
        }

        if (formats.Contains("json"))
        {
            json = Path.Combine(directory, stem + ".json");
            await WriteAtomicallyAsync(json, Encoding.UTF8.GetBytes(JsonRenderer.Render(report)), cancellationToken).ConfigureAwait(false);
        }

        return new WrittenReport(html, markdown, json, chartFiles);
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
