using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using RelayWatch.Reports.Jobs;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The reports archive: every daily report the job wrote, newest first, each day's HTML report opened
/// inside the console page (a sandboxed frame of the file itself), and each file by name. <c>/reports</c>
/// answers a browser with the page and any other client (Accept: application/json) with the list as JSON.
/// </summary>
internal static partial class ReportPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/reports", Archive);
        app.MapGet("/reports/{name}", (string name, ReportJobSettings settings) =>
        {
            // Only the job's own file names: nothing else in (or outside) the folder is ever served.
            var path = Path.Combine(settings.Folder, name);
            return ReportFileName().IsMatch(name) && File.Exists(path)
                ? Results.File(path, Path.GetExtension(name) switch { ".html" => "text/html; charset=utf-8", ".json" => "application/json", _ => "text/markdown; charset=utf-8" })
                : Results.NotFound(new { error = $"There is no report {name}; GET /reports lists them." });
        });
    }

    /// <summary>Whether a request is for a report file, served under the report's own policy (its inline style; framed only by this site).</summary>
    public static bool IsReportFile(PathString path) =>
        path.StartsWithSegments("/reports", out var rest) && rest.Value is { Length: > 1 } name && ReportFileName().IsMatch(name[1..]);

    private static IResult Archive(HttpContext context, ReportJobSettings settings, string? day)
    {
        var files = (Directory.Exists(settings.Folder) ? Directory.EnumerateFiles(settings.Folder, "report-*.*") : [])
            .Select(f => Path.GetFileName(f)!).Where(name => ReportFileName().IsMatch(name)).OrderDescending(StringComparer.Ordinal).ToList();
        if (!WantsPage(context.Request))
        {
            return Results.Ok(files.Select(name => new { name, url = $"/reports/{name}" }));
        }

        var days = files.GroupBy(name => name["report-".Length..("report-".Length + 10)], StringComparer.Ordinal).ToList();
        if (days.Count == 0)
        {
            return Html.Page(context, "Reports", $"<p>No reports yet. The daily job writes yesterday's report at 01:30 UTC into {Html.Text(settings.Folder)}; POST /api/report?day=YYYY-MM-DD writes one now.</p>");
        }

        var shown = day is not null && days.Any(d => d.Key == day) ? day : days[0].Key;
        var body = new StringBuilder();
        body.Append("<table><tr><th>day</th><th>files</th></tr>");
        foreach (var group in days)
        {
            var links = string.Join(" ", group.Order(StringComparer.Ordinal).Select(name => $"<a href=\"/reports/{Html.Url(name)}\">{Html.Text(Path.GetExtension(name)[1..])}</a>"));
            var open = group.Contains($"report-{group.Key}.html", StringComparer.Ordinal)
                ? (group.Key == shown ? $"<strong>{Html.Text(group.Key)}</strong>" : $"<a href=\"/reports?day={Html.Url(group.Key)}\">{Html.Text(group.Key)}</a>")
                : Html.Text(group.Key);
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{open}</td><td>{links}</td></tr>");
        }

        body.Append("</table>");
        if (days.First(d => d.Key == shown).Contains($"report-{shown}.html", StringComparer.Ordinal))
        {
            // Sandboxed: the report runs no script and is not of this origin inside the frame, whatever a log line put in it.
            body.Append(CultureInfo.InvariantCulture, $"<h2>Report of {Html.Text(shown)}</h2><iframe class=\"report\" sandbox title=\"Report of {Html.Text(shown)}\" src=\"/reports/report-{Html.Url(shown)}.html\"></iframe>");
        }

        return Html.Page(context, "Reports", body.ToString());
    }

    /// <summary>A browser asks for HTML first; an API client asks for JSON or anything.</summary>
    private static bool WantsPage(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"^report-\d{4}-\d{2}-\d{2}\.(html|md|json)$")]
    private static partial Regex ReportFileName();
}
