using RelayWatch.Cli.Tests.Support;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class QueryCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task SelectVersionPrintsTheEmbeddedEnginesVersion()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT version()");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"^26\.7\.\d+\.\d+\n$", result.Output);
    }

    [Fact]
    public async Task BadSqlExitsOneWithClickHousesOwnMessage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELEC 1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.StartsWith("relaywatch: Code: 62. DB::Exception: Syntax error: failed at position 7 (1)", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("(SYNTAX_ERROR)\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralStatementsAreRefusedBeforeAnyRunsSoABrokenScriptChangesNothing()
    {
        await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "CREATE TABLE kept (x UInt8) ENGINE = MergeTree ORDER BY x");

        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "DROP TABLE kept; SELEC 1");
        var tables = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'kept'");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("relaywatch: Multi-statements are not allowed: run one statement at a time.\n", result.Error);
        Assert.Equal("kept\n", tables.Output);
    }

    [Fact]
    public async Task TsvIsTabSeparatedWithoutAHeaderSoScriptsCanUseIt()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT number AS n, 'a\tb' AS s FROM numbers(2)", "--format", "tsv");

        Assert.Equal("0\ta\\tb\n1\ta\\tb\n", result.Output);
    }

    [Fact]
    public async Task CsvHasAHeaderAndJsonIsOneObjectPerLine()
    {
        var csv = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT number AS n FROM numbers(2)", "--format", "csv");
        var json = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT number AS n FROM numbers(2)", "--format", "json");

        Assert.Equal("\"n\"\n0\n1\n", csv.Output);
        Assert.Equal("{\"n\":0}\n{\"n\":1}\n", json.Output);
    }

    [Fact]
    public async Task TableFormatDrawsAGrid()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT 1 AS one", "-f", "table");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("one", result.Output, StringComparison.Ordinal);
        Assert.Contains("┌", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADashReadsTheSqlFromStandardInput()
    {
        var result = await RelayWatchProcess.RunWithInputAsync("SELECT count() FROM smtp_events\n", "--data", directory.Path, "query", "-");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("0\n", result.Output);
    }

    [Fact]
    public async Task PipedInputNeverLeaksIntoAnInsertAsExtraRows()
    {
        // chDB reads the host's standard input as INSERT data (chdb-io/chdb-core#239); RelayWatch keeps it away.
        var insert = await RelayWatchProcess.RunWithInputAsync(
            "('2026-01-01', 'leak', 'from-stdin')\n",
            "--data", directory.Path, "query", "INSERT INTO findings (day, detector, subject) VALUES ('2026-11-01', 'dha', '203.0.113.7')");
        var rows = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT detector, subject FROM findings");

        Assert.True(insert.ExitCode == 0, insert.Error);
        Assert.Equal("dha\t203.0.113.7\n", rows.Output);
    }

    [Fact]
    public async Task AFormatNameWithPunctuationIsBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query", "SELECT 1", "--format", "tsv;DROP");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: 'tsv;DROP' is not an output format; use tsv, csv, json, table or a ClickHouse format name such as Parquet.\n", result.Error);
    }

    [Fact]
    public async Task AMissingStatementIsBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "query");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: Required argument missing for command: 'query'.\nRun 'relaywatch --help' for usage.\n", result.Error);
    }
}
