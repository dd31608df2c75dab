namespace RelayWatch.Reports.Charts;

/// <summary>One chart of the report: what it shows in words and the picture, as PNG.</summary>
/// <param name="Id">File name stem (<c>hourly-messages</c>).</param>
/// <param name="Caption">A sentence saying what the chart shows.</param>
public sealed record ReportChart(string Id, string Title, string Caption, byte[] Png);
