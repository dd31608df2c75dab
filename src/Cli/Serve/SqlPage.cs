using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// SQL for analysts, <c>/sql</c> (role analyst or admin): one statement typed into a form, run by the engine
/// under <c>readonly=1</c> (it refuses every write, and any change of a setting) with a row, size and time
/// limit; the answer as a table, or as CSV with formula-safe cells. POST only, with the anti-forgery token.
/// </summary>
internal static partial class SqlPage
{
    /// <summary>Rows shown in the page.</summary>
    public const int PageRows = 1_000;

    /// <summary>Rows in a CSV download.</summary>
    public const int CsvRows = 100_000;

    /// <summary>Longest a statement may run, in seconds.</summary>
    public const int MaxSeconds = 30;

    /// <summary>Most bytes of result the engine produces before it stops (it stops at a block's end).</summary>
    private const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>Longest statement accepted.</summary>
    private const int MaxLength = 20_000;

    private const string Example = "SELECT event, count() FROM smtp_events WHERE ts >= today() - 1 GROUP BY event ORDER BY count() DESC";

    public static void Map(WebApplication app)
    {
        app.MapGet("/sql", (HttpContext context) => Page(context, Example, null, StatusCodes.Status200OK)).RequireAuthorization(ConsoleRoles.ActPolicy);
        app.MapPost("/sql", (Delegate)PostAsync).RequireAuthorization(ConsoleRoles.ActPolicy);
    }

    /// <summary>The settings every statement of the page runs under: <paramref name="rows"/> + 1 rows at most, so the page knows there were more.</summary>
    internal static Dictionary<string, string> Limits(int rows) => new(StringComparer.Ordinal)
    {
        ["readonly"] = "1",
        ["max_result_rows"] = (rows + 1).ToString(CultureInfo.InvariantCulture),
        ["max_result_bytes"] = MaxBytes.ToString(CultureInfo.InvariantCulture),
        ["result_overflow_mode"] = "break",
        ["max_execution_time"] = MaxSeconds.ToString(CultureInfo.InvariantCulture),
        ["timeout_overflow_mode"] = "throw",
    };

    private static async Task<IResult> PostAsync(HttpContext context, IClickHouseStore store, CancellationToken cancellationToken)
    {
        if (await ConsolePages.ReadFormAsync(context).ConfigureAwait(false) is not { } form)
        {
            return ConsolePages.Refused(context);
        }

        var sql = form["sql"].ToString();
        var csv = form["format"] == "csv";
        if (string.IsNullOrWhiteSpace(sql) || sql.Length > MaxLength)
        {
            return Page(context, sql, string.Create(CultureInfo.InvariantCulture, $"Type one statement of at most {MaxLength:N0} characters."), StatusCodes.Status400BadRequest);
        }

        var limit = csv ? CsvRows : PageRows;
        Result result;
        try
        {
            result = await RunAsync(store, sql, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (ClickHouseException e)
        {
            return Page(context, sql, Sentence(e), StatusCodes.Status400BadRequest);
        }

        await ServeHost.AuditAsync(context, "sql", string.Empty, sql.Length > 500 ? sql[..500] + "…" : sql).ConfigureAwait(false);
        if (csv)
        {
            var text = new StringBuilder();
            text.AppendJoin(',', result.Columns.Select(ConsolePages.CsvCell)).Append("\r\n");
            foreach (var row in result.Rows)
            {
                text.AppendJoin(',', row.Select(ConsolePages.CsvCell)).Append("\r\n");
            }

            context.Response.Headers.ContentDisposition = "attachment; filename=\"query.csv\"";
            return Results.Text(text.ToString(), "text/csv; charset=utf-8");
        }

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p id=\"rows\">{(result.More ? $"The first {result.Rows.Count:N0} rows (there are more; the page shows at most {PageRows:N0}, a CSV download {CsvRows:N0})." : result.Rows.Count == 1 ? "1 row." : $"{result.Rows.Count:N0} rows.")}</p>");
        body.Append(Table(result));
        return Page(context, sql, null, StatusCodes.Status200OK, body.ToString());
    }

    /// <summary>A statement's columns (names and ClickHouse types) and at most a limit of rows, each field as text; whether the engine had more.</summary>
    internal sealed record Result(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<string[]> Rows, bool More);

    /// <summary>The result as a table, numbers right-aligned; every name and value encoded.</summary>
    private static string Table(Result result)
    {
        if (result.Columns.Count == 0)
        {
            return string.Empty;
        }

        var numeric = result.Types.Select(t => NumericType().IsMatch(t)).ToList();
        var table = new StringBuilder("<table><tr>");
        foreach (var column in result.Columns)
        {
            table.Append("<th>").Append(Html.Text(column)).Append("</th>");
        }

        table.Append("</tr>");
        foreach (var row in result.Rows)
        {
            table.Append("<tr>");
            for (var i = 0; i < row.Length; i++)
            {
                table.Append(i < numeric.Count && numeric[i] ? "<td class=\"num\">" : "<td>").Append(Html.Text(row[i])).Append("</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</table>").ToString();
    }

    /// <summary>Runs one statement under <see cref="Limits"/>.</summary>
    /// <exception cref="ClickHouseException">The engine refused or failed it.</exception>
    internal static async Task<Result> RunAsync(IClickHouseStore store, string sql, int limit, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        await store.QueryAsync(sql, "JSONCompactStrings", output, null, Limits(limit), cancellationToken).ConfigureAwait(false);
        if (output.Length == 0)
        {
            // A statement that answers nothing at all (a SET, were it allowed): no columns, no rows.
            return new Result([], [], [], false);
        }

        using var json = JsonDocument.Parse(output.ToArray());
        var root = json.RootElement;
        var columns = root.GetProperty("meta").EnumerateArray().Select(c => c.GetProperty("name").GetString() ?? string.Empty).ToList();
        var types = root.GetProperty("meta").EnumerateArray().Select(c => c.GetProperty("type").GetString() ?? string.Empty).ToList();
        var rows = new List<string[]>();
        var more = false;
        foreach (var row in root.GetProperty("data").EnumerateArray())
        {
            if (rows.Count == limit)
            {
                more = true;
                break;
            }

            rows.Add([.. row.EnumerateArray().Select(f => f.ValueKind == JsonValueKind.Null ? "NULL" : f.GetString() ?? string.Empty)]);
        }

        return new Result(columns, types, rows, more);
    }

    /// <summary>ClickHouse's refusal in one sentence: without its code prefix, error name, stack or second line.</summary>
    internal static string Sentence(ClickHouseException error)
    {
        var text = Prefix().Replace(error.Message, string.Empty);
        var end = text.IndexOfAny(['\r', '\n']);
        text = Suffix().Replace(end >= 0 ? text[..end] : text, string.Empty);
        text = InQuery().Replace(text, string.Empty).Trim();
        if (text.Length > 400)
        {
            text = text[..400] + "…";
        }

        return "ClickHouse refused the statement: " + text.TrimEnd('.', ' ', ':') + ".";
    }

    private static IResult Page(HttpContext context, string sql, string? error, int status, string results = "") => Html.Page(context, "SQL", $"""
        <p>One statement, read-only: the engine runs it with readonly=1 (no writes, no change of settings), stops after {PageRows:N0} rows ({CsvRows:N0} for CSV) and after {MaxSeconds} s. The tables are described in docs/schema.md; SHOW TABLES and DESCRIBE TABLE smtp_events work too.</p>
        <form method="post" action="/sql">{Html.Token(context)}
        <p><label for="sql">Statement</label><br><textarea id="sql" name="sql" rows="8" cols="100" required spellcheck="false">{WebUtility.HtmlEncode(sql)}</textarea></p>
        <p><button name="format" value="html">Run</button> <button name="format" value="csv">Download CSV</button></p></form>
        {(error is null ? string.Empty : $"<p class=\"error\">{Html.Text(error)}</p>")}
        {results}
        """, status);

    /// <summary>A number column, nullable or not: its values align right.</summary>
    [GeneratedRegex(@"^(Nullable\()?(U?Int\d+|Float\d+|Decimal.*)\)?$")]
    private static partial Regex NumericType();

    /// <summary>ClickHouse's prefix, with the user name it names first when it refuses a write (<c>default: Cannot execute…</c>).</summary>
    [GeneratedRegex(@"^(Code: \d+[.,]\s*)?(DB::Exception:\s*)?([A-Za-z0-9_.-]+: (?=Cannot execute))?")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"\s*\([A-Z][A-Z0-9_]+\)\s*$")]
    private static partial Regex Suffix();

    /// <summary>The statement quoted back, which the page shows already.</summary>
    [GeneratedRegex(@"[:\s]*\(in query: .*$")]
    private static partial Regex InQuery();
}
