namespace RelayWatch.Reports;

/// <summary>Where a report's files went; null for a format not asked for.</summary>
public sealed record WrittenReport(string? Html, string? Markdown, string? Json, IReadOnlyList<string> Charts)
{
    public IEnumerable<string> Files => new[] { Html, Markdown, Json }.OfType<string>().Concat(Charts);
}
