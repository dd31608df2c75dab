using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>The model page and the SQL page, served by the real serve process.</summary>
public sealed partial class ModelAndSqlPagesTests : IDisposable
{
    private const string AnalystPassword = "analyst password 42";
    private const string ViewerPassword = "viewer password 42";

    private readonly TemporaryDirectory directory = new();
    private Process? serve;

    public void Dispose()
    {
        StopAsync().GetAwaiter().GetResult();
        directory.Dispose();
    }

    /// <summary>
    /// Without a model the page says how to train one; after training and scoring it shows the version with its
    /// held-out measures, every feature's importance (largest first) and the scoring run's drift check.
    /// </summary>
    [Fact]
    public async Task TheModelPageShowsHowToTrainThenTheVersionItsImportanceAndItsDrift()
    {
        var data = directory.Combine("data");
        var simulation = directory.Combine("simulation");
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("simulate", "--days", "4", "--start", "2026-10-05", "--seed", "606", "--scale", "0.01", "--out", simulation)).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(simulation, "logs"))).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunAsync("--data", data, "detect", "--from", "2026-10-05", "--to", "2026-10-08")).ExitCode);
        using var http = new HttpClient();

        var origin = await StartAsync(data);
        var empty = await http.GetStringAsync(new Uri($"{origin}/model"));
        await StopAsync();
        var train = await RelayWatchProcess.RunAsync("--data", data, "train");
        Assert.True(train.ExitCode == 0, train.Error);
        var score = await RelayWatchProcess.RunAsync("--data", data, "score");
        Assert.True(score.ExitCode == 0, score.Error);
        origin = await StartAsync(data);
        var page = await http.GetStringAsync(new Uri($"{origin}/model"));

        Assert.Contains("<h1>Model</h1>\n<p>No model has been trained yet: run relaywatch train (or let the weekly training job run) once the store holds at least two days of traffic.</p>", empty, StringComparison.Ordinal);
        var version = Regex.Match(train.Output, @"Model (gbt-\d{8}-\d{6})").Groups[1].Value;
        Assert.Contains($"Scoring uses <strong id=\"newest\">{version}</strong> (boosted trees learnt from labels), learnt from 2026-10-05 to 2026-10-0", page, StringComparison.Ordinal);
        Assert.Matches($@"<tr><td>{version}</td><td>gradient_boosted_trees</td><td>[\d -:]+</td><td>2026-10-05 to 2026-10-0\d</td><td>2026-10-0\d to 2026-10-07</td><td class=""num"">\d+</td><td class=""num"">\d+</td><td class=""num"">[01]\.\d{{3}}</td>", page);
        var importance = ImportanceRow().Matches(page).Select(m => double.Parse(m.Groups["drop"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(RelayWatch.Analysis.Scoring.FeatureCatalog.Names.Count, importance.Count);
        Assert.Equal(importance.OrderDescending(), importance);
        Assert.Matches($@"<tr><td>2026-10-08</td><td>{version}</td><td class=""num"">\d+</td><td class=""num"">[\d.]+</td><td>", page);
        Assert.Contains("<a href=\"/model\">Model</a>", page, StringComparison.Ordinal);
    }

    /// <summary>
    /// An analyst runs a statement and gets an encoded table or a formula-safe CSV; a write is refused in one
    /// sentence and changes nothing; the row limit holds; a form without its token is refused; a viewer may not.
    /// </summary>
    [Fact]
    public async Task AnAnalystQueriesReadOnlyAndAViewerIsRefused()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(AnalystPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "analyst")).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(ViewerPassword + "\n", "--data", data, "serve", "user", "add", "vic", "--role", "viewer")).ExitCode);
        var origin = await StartAsync(data);
        using var analyst = await LogInAsync(origin, "ana", AnalystPassword);
        using var viewer = await LogInAsync(origin, "vic", ViewerPassword);
        var token = await TokenAsync(analyst, $"{origin}/sql");

        async Task<HttpResponseMessage> RunAsync(HttpClient client, string sql, string format = "html", bool withToken = true)
        {
            var form = new Dictionary<string, string> { ["sql"] = sql, ["format"] = format };
            if (withToken)
            {
                form[token.Name] = token.Value;
            }

            return await client.PostAsync(new Uri($"{origin}/sql"), new FormUrlEncodedContent(form));
        }

        var table = await (await RunAsync(analyst, "SELECT '=HYPERLINK(\"x\")' AS formula, '<script>alert(1)</script>' AS markup")).Content.ReadAsStringAsync();
        var csv = await (await RunAsync(analyst, "SELECT '=HYPERLINK(\"x\")' AS formula, '<script>alert(1)</script>' AS markup", "csv")).Content.ReadAsStringAsync();
        var drop = await RunAsync(analyst, "DROP TABLE findings");
        var dropPage = await drop.Content.ReadAsStringAsync();
        var tables = await (await RunAsync(analyst, "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'findings'")).Content.ReadAsStringAsync();
        var many = await (await RunAsync(analyst, "SELECT number FROM system.numbers LIMIT 5000")).Content.ReadAsStringAsync();
        var noToken = await RunAsync(analyst, "SELECT 1", withToken: false);
        var viewerGet = await viewer.GetAsync(new Uri($"{origin}/sql"));
        var viewerPost = await RunAsync(viewer, "SELECT 1");
        var viewerNav = await viewer.GetStringAsync(new Uri($"{origin}/model"));

        Assert.Contains("<p id=\"rows\">1 row.</p><table><tr><th>formula</th><th>markup</th></tr><tr><td>=HYPERLINK(&quot;x&quot;)</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr></table>", table, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", table, StringComparison.Ordinal);
        Assert.Equal("formula,markup\r\n\"'=HYPERLINK(\"\"x\"\")\",<script>alert(1)</script>\r\n", csv);
        Assert.Equal(HttpStatusCode.BadRequest, drop.StatusCode);
        Assert.Contains("<p class=\"error\">ClickHouse refused the statement: Cannot execute query in readonly mode.</p>", dropPage, StringComparison.Ordinal);
        Assert.Contains("<tr><td>findings</td></tr>", tables, StringComparison.Ordinal);
        Assert.Contains("<p id=\"rows\">The first 1,000 rows (there are more;", many, StringComparison.Ordinal);
        Assert.Equal(1001, Regex.Count(many, "<tr>"));
        Assert.Contains("<tr><td class=\"num\">999</td></tr></table>", many, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerGet.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerPost.StatusCode);
        Assert.DoesNotContain("href=\"/sql\"", viewerNav, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/sql\">SQL</a>", table, StringComparison.Ordinal);
    }

    private async Task<string> StartAsync(string data)
    {
        var port = Loopback.FreePort();
        serve = RelayWatchProcess.Start(["--data", data, "serve", "--urls", $"http://127.0.0.1:{port}"]);
        if (await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on") is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }

        return $"http://127.0.0.1:{port}";
    }

    private async Task StopAsync()
    {
        if (serve is not null)
        {
            await RelayWatchProcess.StopAsync(serve);
            serve = null;
        }
    }

    private static async Task<HttpClient> LogInAsync(string origin, string user, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var token = await TokenAsync(client, $"{origin}/login");
        var response = await client.PostAsync(new Uri($"{origin}/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Name] = token.Value, ["user"] = user, ["password"] = password, ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<(string Name, string Value)> TokenAsync(HttpClient http, string url)
    {
        var match = HiddenToken().Match(await http.GetStringAsync(new Uri(url)));
        Assert.True(match.Success, $"{url} has no anti-forgery field");
        return (match.Groups["name"].Value, WebUtility.HtmlDecode(match.Groups["value"].Value));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken)\" value=\"(?<value>[^\"]+)\">")]
    private static partial Regex HiddenToken();

    [GeneratedRegex(@"<tr><td>[a-z_]+</td><td class=""num"">(?<drop>-?\d\.\d{4})</td><td>")]
    private static partial Regex ImportanceRow();
}
