using System.Text;
using System.Text.Encodings.Web;
using RelayWatch.Reports.Charts;
using static RelayWatch.Reports.Rendering.ReportDocument;

namespace RelayWatch.Reports.Rendering;

/// <summary>
/// One self-contained HTML page: styles inline, charts as PNG data URIs, no script and nothing
/// fetched. Every piece of text is HTML-encoded, so a HELO of <c>&lt;script&gt;</c> reads as text.
/// </summary>
internal static class HtmlRenderer
{
    private const string Style =
        """
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f23; margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
        h1 { font-size: 1.6rem; margin-bottom: .2rem; }
        h2 { font-size: 1.25rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; margin-top: 2.2rem; }
        h3 { font-size: 1.05rem; margin-top: 1.4rem; }
        nav a { margin-right: .9rem; }
        table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: 13px; }
        th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
        th { background: #f3f5f7; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr:nth-child(even) td { background: #fafbfc; }
        .muted { color: #57606a; font-size: 13px; }
        ul.alert { background: #fff8e6; border-left: 4px solid #d4a72c; padding: .6rem .6rem .6rem 2rem; }
        figure { margin: 1rem 0; page-break-inside: avoid; }
        figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
        figcaption { font-size: 13px; color: #57606a; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11px; }
          nav { display: none; }
          h2 { page-break-after: avoid; }
          table, figure { page-break-inside: avoid; }
        }
        """;

    public static string Render(ReportDocument document, IReadOnlyList<ReportChart> charts)
    {
        var images = charts.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n")
            .Append("<title>").Append(Encode(document.Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Encode(document.Title)).Append("</h1>\n<nav>");
        foreach (var heading in document.Blocks.OfType<Heading>().Where(h => h.Level == 2))
        {
            html.Append("<a href=\"#").Append(Encode(heading.Anchor)).Append("\">").Append(Encode(heading.Text)).Append("</a>");
        }

        html.Append("</nav>\n");
        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case Heading h:
                    html.Append("<h").Append(h.Level).Append(" id=\"").Append(Encode(h.Anchor)).Append("\">").Append(Encode(h.Text)).Append("</h").Append(h.Level).Append(">\n");
                    break;
                case Paragraph p:
                    html.Append(p.Muted ? "<p class=\"muted\">" : "<p>").Append(Encode(p.Text)).Append("</p>\n");
                    break;
                case Bullets b:
                    html.Append(b.Alert ? "<ul class=\"alert\">\n" : "<ul>\n");
                    foreach (var item in b.Items)
                    {
                        html.Append("<li>").Append(Encode(item)).Append("</li>\n");
                    }

                    html.Append("</ul>\n");
                    break;
                case Table t:
                    AppendTable(html, t);
                    break;
                case Figure f when images.TryGetValue(f.ChartId, out var chart):
                    html.Append("<figure id=\"chart-").Append(Encode(f.ChartId)).Append("\"><img alt=\"").Append(Encode(f.Title)).Append("\" src=\"data:image/png;base64,")
                        .Append(Convert.ToBase64String(chart.Png)).Append("\"><figcaption>").Append(Encode(f.Caption)).Append("</figcaption></figure>\n");
                    break;
            }
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendTable(StringBuilder html, Table table)
    {
        html.Append("<table>\n<thead><tr>");
        for (var i = 0; i < table.Header.Count; i++)
        {
            html.Append(table.Numeric[i] ? "<th class=\"n\">" : "<th>").Append(Encode(table.Header[i])).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                html.Append(table.Numeric[i] ? "<td class=\"n\">" : "<td>").Append(Encode(row[i])).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
