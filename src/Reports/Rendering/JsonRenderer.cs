using System.Text.Json;
using RelayWatch.Reports.Content;

namespace RelayWatch.Reports.Rendering;

/// <summary>The report for machines: <see cref="DailyReport"/> as camelCase JSON (docs/reports.md documents it).</summary>
public static class JsonRenderer
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    public static string Render(DailyReport report) => JsonSerializer.Serialize(report, Options) + "\n";
}
