using System.Text;
using RelayWatch.Reports.Charts;
using static RelayWatch.Reports.Rendering.ReportDocument;

namespace RelayWatch.Reports.Rendering;

/// <summary>
/// GitHub-flavoured Markdown for a mail body or a ticket. Text is escaped so that log content can
/// make neither markup (links, images, HTML, tables) nor a spreadsheet formula when pasted on.
/// Charts are referenced as PNG files beside the page (<paramref name="chartFolder"/>).
/// </summary>
internal static class MarkdownRenderer
{
    public static string Render(ReportDocument document, IReadOnlyList<ReportChart> charts, string chartFolder)
    {
        var written = charts.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var md = new StringBuilder();
        md.Append("# ").Append(Escape(document.Title)).Append("\n\n");
        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case Heading h:
                    md.Append('#', h.Level).Append(' ').Append(Escape(h.Text)).Append("\n\n");
                    break;
                case Paragraph p:
                    md.Append(p.Muted ? "_" + Escape(p.Text) + "_" : Escape(p.Text)).Append("\n\n");
                    break;
                case Bullets b:
                    foreach (var item in b.Items)
                    {
                        md.Append(b.Alert ? "- **!** " : "- ").Append(Escape(item)).Append('\n');
                    }

                    md.Append('\n');
                    break;
                case Table t:
                    md.Append("| ").Append(string.Join(" | ", t.Header.Select(Escape))).Append(" |\n|");
                    foreach (var numeric in t.Numeric)
                    {
                        md.Append(numeric ? " ---: |" : " --- |");
                    }

                    md.Append('\n');
                    foreach (var row in t.Rows)
                    {
                        md.Append("| ").Append(string.Join(" | ", row.Select(Escape))).Append(" |\n");
                    }

                    md.Append('\n');
                    break;
                case Figure f when written.Contains(f.ChartId):
                    md.Append("![").Append(Escape(f.Title)).Append("](").Append(chartFolder).Append('/').Append(f.ChartId).Append(".png)\n\n_")
                        .Append(Escape(f.Caption)).Append("_\n\n");
                    break;
            }
        }

        return md.ToString();
    }

    /// <summary>
    /// Backslash-escapes what would give text a meaning in Markdown (CommonMark and GitHub's extensions):
    /// emphasis, code, links and images, raw HTML and entities, table pipes, autolinks (<c>://</c>,
    /// <c>www.</c>, <c>@</c>), and a leading heading, list, quote or formula character (<c>#</c>,
    /// <c>-</c>, <c>+</c>, <c>=</c>, <c>1.</c>), so pasted on into a sheet it is no formula either.
    /// Line breaks and other control characters become spaces. Plain words and numbers stay as they are.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var rest = text.AsSpan(i);
            if (char.IsControl(c))
            {
                escaped.Append(' ');
            }
            else if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '~' or '&' or '@'
                || (i == 0 && c is '#' or '-' or '+' or '=')
                || (c == ':' && rest.StartsWith("://", StringComparison.Ordinal))
                || (c == '.' && i >= 3 && text.AsSpan(i - 3, 3).Equals("www", StringComparison.OrdinalIgnoreCase))
                || (c is '.' or ')' && i is > 0 and < 10 && text[..i].All(char.IsAsciiDigit) && (i + 1 == text.Length || text[i + 1] == ' ')))
            {
                escaped.Append('\\').Append(c);
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
