using RelayWatch.Cli.Serve;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// The SQL page's statements as the engines run them: under readonly=1 each engine itself refuses every
/// write, every change of a setting and every table function, and stops at the row limit — the embedded
/// engine, and the server engine over ClickHouse's HTTP interface (the fixture in front of the embedded
/// engine, or the server RELAYWATCH_TEST_CLICKHOUSE names).
/// </summary>
public sealed class SqlPageEngineTests(ServerEngine server) : IClassFixture<ServerEngine>
{
    private const string Readonly = "ClickHouse refused the statement: Cannot execute query in readonly mode.";

    public static TheoryData<string, string, string> Refused => new()
    {
        { "embedded", "INSERT INTO kept VALUES (2)", Readonly },
        { "embedded", "INSERT INTO kept SELECT 3", Readonly },
        { "embedded", "ALTER TABLE kept DELETE WHERE 1", Readonly },
        { "embedded", "ALTER TABLE kept ADD COLUMN m UInt8", Readonly },
        { "embedded", "DROP TABLE kept", Readonly },
        { "embedded", "TRUNCATE TABLE kept", Readonly },
        { "embedded", "CREATE TABLE made (n UInt8) ENGINE = Memory", Readonly },
        { "embedded", "SELECT * FROM file('/etc/passwd', 'LineAsString')", Readonly },
        { "embedded", "SELECT n FROM kept SETTINGS readonly = 0", "ClickHouse refused the statement: Cannot modify 'readonly' setting in readonly mode." },
        { "embedded", "SELECT n FROM kept SETTINGS max_result_rows = 0", "ClickHouse refused the statement: Cannot modify 'max_result_rows' setting in readonly mode." },
        { "embedded", "SELECT 1; DROP TABLE kept", "ClickHouse refused the statement: Multi-statements are not allowed: run one statement at a time." },
        { "embedded", "SELECT 1;\nINSERT INTO kept VALUES (4)", "ClickHouse refused the statement: Multi-statements are not allowed: run one statement at a time." },
        { "server", "INSERT INTO kept VALUES (2)", Readonly },
        { "server", "ALTER TABLE kept DELETE WHERE 1", Readonly },
        { "server", "DROP TABLE kept", Readonly },
        { "server", "CREATE TABLE made (n UInt8) ENGINE = Memory", Readonly },
        { "server", "SELECT n FROM kept SETTINGS readonly = 0", "ClickHouse refused the statement: Cannot modify 'readonly' setting in readonly mode." },
        { "server", "SELECT 1; DROP TABLE kept", "ClickHouse refused the statement: Multi-statements are not allowed: run one statement at a time." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task TheEngineRefusesAWriteAChangeOfSettingsAndASecondStatement(string engine, string sql, string sentence)
    {
        await using var store = await OpenAsync(engine);
        await store.ExecuteAsync("CREATE TABLE kept (n UInt8) ENGINE = MergeTree ORDER BY n", CancellationToken.None);
        await store.ExecuteAsync("INSERT INTO kept VALUES (1)", CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<ClickHouseException>(() => SqlPage.RunAsync(store, sql, 10, CancellationToken.None));

        Assert.Equal(sentence, SqlPage.Sentence(refusal));
        Assert.Equal("1", await store.QueryScalarAsync("SELECT arrayStringConcat(groupArray(toString(n)), ',') FROM kept", CancellationToken.None));
        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'made'", CancellationToken.None));
        // The read-only session was the statement's own: the store's other work still writes.
        await store.ExecuteAsync("INSERT INTO kept VALUES (5)", CancellationToken.None);
        Assert.Equal("2", await store.QueryScalarAsync("SELECT count() FROM kept", CancellationToken.None));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("server")]
    public async Task TheRowLimitIsHonouredAndAnswersThatFitAreWhole(string engine)
    {
        await using var store = await OpenAsync(engine);

        var cut = await SqlPage.RunAsync(store, "SELECT number AS n, toString(number * 2) AS twice FROM system.numbers LIMIT 100000", 1000, CancellationToken.None);
        var whole = await SqlPage.RunAsync(store, "SELECT number AS n FROM numbers(7)", 1000, CancellationToken.None);
        var described = await SqlPage.RunAsync(store, "DESCRIBE TABLE smtp_events", 1000, CancellationToken.None);

        Assert.Equal(["n", "twice"], cut.Columns);
        Assert.Equal(1000, cut.Rows.Count);
        Assert.True(cut.More);
        Assert.Equal(["999", "1998"], cut.Rows[^1]);
        Assert.Equal(7, whole.Rows.Count);
        Assert.False(whole.More);
        Assert.Equal("6", whole.Rows[^1][0]);
        Assert.Contains(described.Rows, r => r[0] == "client_ip" && r[1] == "IPv6");
    }

    private async Task<IClickHouseStore> OpenAsync(string engine) => engine == "server" ? await server.OpenAsync() : await TestEngine.OpenAsync();
}
