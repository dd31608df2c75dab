namespace RelayWatch.Reports.Rendering;

/// <summary>
/// The report as a sequence of plain blocks — headings, paragraphs, lists, tables, figures — worded
/// once and rendered to HTML and Markdown. All text is unencoded: each renderer escapes it for its
/// format, so attacker-controlled log text never becomes markup.
/// </summary>
internal sealed record ReportDocument(string Title, IReadOnlyList<ReportDocument.Block> Blocks)
{
    internal abstract record Block;

    /// <param name="Anchor">An id to link to (HTML).</param>
    internal sealed record Heading(int Level, string Text, string Anchor) : Block;

    internal sealed record Paragraph(string Text, bool Muted = false) : Block;

    /// <param name="Alert">Items that need attention (callouts).</param>
    internal sealed record Bullets(IReadOnlyList<string> Items, bool Alert = false) : Block;

    /// <param name="Numeric">Which columns hold numbers (right-aligned).</param>
    internal sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<bool> Numeric) : Block;

    /// <summary>A chart, by its id in <see cref="Charts.ReportCharts"/>, with its title and caption.</summary>
    internal sealed record Figure(string ChartId, string Title, string Caption) : Block;
}
