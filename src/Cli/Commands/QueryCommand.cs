using System.CommandLine;
using RelayWatch.Store.Embedded;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch query SQL</c>: ad-hoc SQL for analysts, streamed to stdout in the chosen format.
/// </summary>
internal static class QueryCommand
{
    /// <summary>Short names for the formats people use most, mapped to ClickHouse's own names.</summary>
    private static readonly Dictionary<string, string> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tsv"] = "TabSeparated",
        ["csv"] = "CSVWithNames",
        ["json"] = "JSONEachRow",
        ["table"] = "PrettyCompactMonoBlock",
    };

    public static Command Create(GlobalOptions globals)
    {
        var sql = new Argument<string>("SQL") { Description = "The statement to run; - reads it from standard input" };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "tsv (TabSeparated, no header), csv (with header), json (one object per line), table, or any ClickHouse output format name [default: table on a terminal, else tsv]",
            HelpName = "FORMAT",
        };
        var command = new Command("query", "Run SQL against the store and print the result") { sql, format };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var text = parse.GetValue(sql)!;
                if (text == "-")
                {
                    using var input = new StreamReader(StandardInput.Open());
                    text = input.ReadToEnd();
                }

                return string.IsNullOrWhiteSpace(text)
                    ? throw new UsageException("The SQL statement is empty.")
                    : (Text: text, Format: ClickHouseFormat(parse.GetValue(format)));
            },
            async (store, statement, token) =>
            {
                var output = Console.OpenStandardOutput();
                await using (output.ConfigureAwait(false))
                {
                    await store.QueryAsync(statement.Text, statement.Format, output, null, token).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    internal static string ClickHouseFormat(string? requested)
    {
        requested ??= Console.IsOutputRedirected ? "tsv" : "table";
        if (Formats.TryGetValue(requested, out var known))
        {
            return known;
        }

        if (requested.Length == 0 || !requested.All(char.IsAsciiLetterOrDigit))
        {
            throw new UsageException($"'{requested}' is not an output format; use tsv, csv, json, table or a ClickHouse format name such as Parquet.");
        }

        return requested;
    }
}
