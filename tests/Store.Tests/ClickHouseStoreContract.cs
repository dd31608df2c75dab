using System.Globalization;
using System.Net;
using RelayWatch.Store.Formats;

namespace RelayWatch.Store.Tests;

/// <summary>
/// What every engine behind <see cref="IClickHouseStore"/> must do, run once per engine by the
/// subclasses (embedded: Embedded/EmbeddedStoreTests; server: Server/ServerStoreOverHttpTests).
/// Each test works in a database of its own.
/// </summary>
public abstract class ClickHouseStoreContract
{
    private static readonly string[] SmtpEventColumns =
        ["ts", "relay", "source", "event", "client_ip", "helo", "mail_from", "rcpt_to", "smtp_code", "reason", "size", "file", "line"];

    /// <summary>A store on a fresh database of the engine under test, schema migrated.</summary>
    protected abstract Task<IClickHouseStore> OpenAsync();

    [Fact]
    public async Task StatementsCreateInsertAndSelectInTheStoresOwnDatabase()
    {
        await using var store = await OpenAsync();

        await store.ExecuteAsync("CREATE TABLE notes (id UInt32, text String) ENGINE = MergeTree ORDER BY id", CancellationToken.None);
        await store.ExecuteAsync("INSERT INTO notes VALUES (2, 'b'), (1, 'a\ttab')", CancellationToken.None);
        var rows = await store.QueryListAsync("SELECT id, text, currentDatabase() FROM notes ORDER BY id", null, CancellationToken.None);

        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "a\ttab", store.Info.Database], rows[0]);
        Assert.Equal(["2", "b", store.Info.Database], rows[1]);
    }

    [Fact]
    public async Task ParametersAreBoundByClickHouseNotSplicedIntoTheText()
    {
        await using var store = await OpenAsync();
        const string hostile = "x'); DROP TABLE smtp_events; --";

        var echoed = await store.QueryListAsync(
            "SELECT {text:String}, {day:Date} + 1",
            new Dictionary<string, string> { ["text"] = hostile, ["day"] = "2026-11-28" },
            CancellationToken.None);

        Assert.Equal([hostile, "2026-11-29"], echoed[0]);
        Assert.Equal("1", await store.QueryScalarAsync("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'smtp_events'", CancellationToken.None));
    }

    [Fact]
    public async Task SettingsGivenWithAStatementBindItAloneAndTheEngineEnforcesThem()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE kept (n UInt64) ENGINE = MergeTree ORDER BY n", CancellationToken.None);
        var settings = new Dictionary<string, string> { ["readonly"] = "1", ["max_result_rows"] = "10", ["result_overflow_mode"] = "break" };

        var refused = await Assert.ThrowsAsync<ClickHouseException>(() =>
            store.QueryAsync("INSERT INTO kept SELECT number FROM numbers(5)", "TabSeparated", Stream.Null, null, settings, CancellationToken.None));
        using var output = new MemoryStream();
        await store.QueryAsync("SELECT number FROM system.numbers LIMIT 100000 SETTINGS max_block_size = 10", "TabSeparated", output, null,
            new Dictionary<string, string> { ["max_result_rows"] = "10", ["result_overflow_mode"] = "break" }, CancellationToken.None);
        await store.ExecuteAsync("INSERT INTO kept SELECT number FROM numbers(5)", CancellationToken.None);

        Assert.Equal(164, refused.Code);
        Assert.Equal("READONLY", refused.Name);
        Assert.Equal(10, System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // The statement's settings did not stay behind: the store's next statements write and read whole.
        Assert.Equal("5", await store.QueryScalarAsync("SELECT count() FROM kept", CancellationToken.None));
        Assert.Equal("100", await store.QueryScalarAsync("SELECT count() FROM (SELECT number FROM numbers(100))", CancellationToken.None));
    }

    [Fact]
    public async Task ASettingThatIsNotAPlainNameAndValueIsRefusedBeforeTheEngineSeesIt()
    {
        await using var store = await OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync("SELECT 1", "TabSeparated", Stream.Null, null,
            new Dictionary<string, string> { ["readonly"] = "0'; DROP TABLE smtp_events; --" }, CancellationToken.None));

        Assert.Equal("The setting readonly = 0'; DROP TABLE smtp_events; -- is not a plain name and value. (Parameter 'settings')", error.Message);
        Assert.Equal("1", await store.QueryScalarAsync("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'smtp_events'", CancellationToken.None));
    }

    [Theory]
    [InlineData("SHOW TABLES", "smtp_events")]
    [InlineData("DESCRIBE TABLE smtp_events", "client_ip")]
    [InlineData("SHOW CREATE TABLE smtp_events", "CREATE TABLE")]
    [InlineData("EXISTS TABLE smtp_events", "1")]
    [InlineData("EXPLAIN SELECT count() FROM smtp_events", "count()")]
    public async Task TheStatementsAnAnalystTypesFirstAreAnswered(string statement, string expected)
    {
        await using var store = await OpenAsync();

        using var output = new MemoryStream();
        await store.QueryAsync(statement, "TabSeparated", output, null, CancellationToken.None);

        Assert.Contains(expected, System.Text.Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSqlRaisesClickHousesOwnErrorAndLeavesTheStoreUsable()
    {
        await using var store = await OpenAsync();

        var error = await Assert.ThrowsAsync<ClickHouseException>(() => store.ExecuteAsync("SELEC 1", CancellationToken.None));

        Assert.Equal(62, error.Code);
        Assert.Equal("SYNTAX_ERROR", error.Name);
        Assert.StartsWith("Code: 62. DB::Exception: Syntax error: failed at position 7 (1)", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", await store.QueryScalarAsync("SELECT 1", CancellationToken.None));
    }

    [Fact]
    public async Task AQueryOfAMissingTableNamesTheTable()
    {
        await using var store = await OpenAsync();

        var error = await Assert.ThrowsAsync<ClickHouseException>(() => store.QueryTextAsync("SELECT * FROM no_such_table", "TabSeparated", CancellationToken.None));

        Assert.Equal(60, error.Code);
        Assert.Equal("UNKNOWN_TABLE", error.Name);
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMillionRowsBulkInsertedAsRowBinaryAggregateToTheExpectedTotals()
    {
        await using var store = await OpenAsync();
        const int rows = 1_000_000;
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        long expectedSize = 0;
        var expectedRejects = 0;
        var expectedPerRelay = new long[3];

        var written = await store.InsertAsync(new BulkInsert("smtp_events", SmtpEventColumns), async (stream, cancellationToken) =>
        {
            var writer = new RowBinaryWriter();
            for (var i = 0; i < rows; i++)
            {
                var isReject = i % 7 == 0;
                writer.WriteDateTime64Millis(start.AddMilliseconds(i * 250L));
                writer.WriteString("relay" + (i % 3).ToString(CultureInfo.InvariantCulture));
                writer.WriteString("postfix");
                writer.WriteString(isReject ? "rcpt_reject" : "message");
                writer.WriteIPv6(new IPAddress([203, 0, (byte)(i % 200), (byte)(i % 250)]));
                writer.WriteString("mx.example.net");
                writer.WriteString("sender@example.net");
                writer.WriteString("user" + (i % 1000).ToString(CultureInfo.InvariantCulture) + "@ours.example");
                writer.WriteUInt16(isReject ? (ushort)550 : (ushort)250);
                writer.WriteString(isReject ? "user_unknown" : string.Empty);
                writer.WriteUInt64((ulong)(i % 5000));
                writer.WriteString("mail.log");
                writer.WriteUInt64((ulong)i + 1);
                expectedSize += i % 5000;
                expectedRejects += isReject ? 1 : 0;
                expectedPerRelay[i % 3]++;
                if (writer.WrittenCount > 1 << 20)
                {
                    await stream.WriteAsync(writer.WrittenMemory, cancellationToken);
                    writer.Clear();
                }
            }

            await stream.WriteAsync(writer.WrittenMemory, cancellationToken);
        }, CancellationToken.None);

        Assert.Equal(rows, written);
        var totals = (await store.QueryListAsync(
            "SELECT count(), sum(size), countIf(event = 'rcpt_reject' AND reason = 'user_unknown'), uniqExact(client_ip), min(line), max(line), toString(max(ts)) FROM smtp_events",
            null, CancellationToken.None))[0];
        Assert.Equal(
            [
                rows.ToString(CultureInfo.InvariantCulture),
                expectedSize.ToString(CultureInfo.InvariantCulture),
                expectedRejects.ToString(CultureInfo.InvariantCulture),
                "1000",
                "1",
                rows.ToString(CultureInfo.InvariantCulture),
                "2026-11-03 21:26:39.750",
            ],
            totals);
        var perRelay = await store.QueryListAsync("SELECT relay, count() FROM smtp_events GROUP BY relay ORDER BY relay", null, CancellationToken.None);
        Assert.Equal(expectedPerRelay.Select((n, i) => new[] { "relay" + i.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture) }), perRelay);
        Assert.Equal("::ffff:203.0.0.0", await store.QueryScalarAsync("SELECT toString(min(client_ip)) FROM smtp_events", CancellationToken.None));
    }

    [Fact]
    public async Task AnInsertWhoseWriterFailsBeforeABlockFormsCommitsNothing()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE numbers_in (n UInt64) ENGINE = MergeTree ORDER BY n", CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.InsertAsync(new BulkInsert("numbers_in", ["n"]), async (stream, cancellationToken) =>
        {
            var writer = new RowBinaryWriter();
            for (ulong i = 0; i < 1000; i++)
            {
                writer.WriteUInt64(i);
            }

            await stream.WriteAsync(writer.WrittenMemory, cancellationToken);
            throw new InvalidOperationException("the source broke");
        }, CancellationToken.None));

        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM numbers_in", CancellationToken.None));
        Assert.Equal("1", await store.QueryScalarAsync("SELECT 1", CancellationToken.None));
    }

    [Fact]
    public async Task MalformedInsertDataIsReportedAsAClickHouseError()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE strict_in (n UInt64, s String) ENGINE = MergeTree ORDER BY n", CancellationToken.None);

        var error = await Assert.ThrowsAsync<ClickHouseException>(() => store.InsertAsync(
            new BulkInsert("strict_in", ["n", "s"], "TabSeparated"),
            async (stream, cancellationToken) => await stream.WriteAsync("1\tok\nnot-a-number\tbad\n"u8.ToArray(), cancellationToken),
            CancellationToken.None));

        Assert.NotEqual(0, error.Code);
        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM strict_in", CancellationToken.None));
    }

    [Fact]
    public async Task BadDataAfterSeveralChunksFailsTheInsertWithoutHangingTheWriter()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE long_in (n UInt64, s String) ENGINE = MergeTree ORDER BY n", CancellationToken.None);
        var goodLine = "12345\tsome reasonably long text to fill the chunks quickly\n"u8.ToArray();

        var error = await Assert.ThrowsAsync<ClickHouseException>(() => store.InsertAsync(
            new BulkInsert("long_in", ["n", "s"], "TabSeparated"),
            async (stream, cancellationToken) =>
            {
                await stream.WriteAsync("oops\tnot a number\n"u8.ToArray(), cancellationToken);
                for (var i = 0; i < 400_000; i++)
                {
                    await stream.WriteAsync(goodLine, cancellationToken);
                }
            },
            CancellationToken.None));

        Assert.Equal(27, error.Code);
        Assert.Equal("CANNOT_PARSE_INPUT_ASSERTION_FAILED", error.Name);
        Assert.Equal("0", await store.QueryScalarAsync("SELECT count() FROM long_in", CancellationToken.None));
    }

    [Fact]
    public async Task EightThreadsQueryAndInsertAtOnce()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE parallel_in (worker UInt8, n UInt64) ENGINE = MergeTree ORDER BY (worker, n)", CancellationToken.None);
        const int batchesPerWorker = 20;
        const int rowsPerBatch = 5_000;

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var batch = 0; batch < batchesPerWorker; batch++)
            {
                await store.InsertAsync(new BulkInsert("parallel_in", ["worker", "n"]), async (stream, cancellationToken) =>
                {
                    var writer = new RowBinaryWriter();
                    for (var i = 0; i < rowsPerBatch; i++)
                    {
                        writer.WriteUInt8((byte)worker);
                        writer.WriteUInt64((ulong)((batch * rowsPerBatch) + i));
                    }

                    await stream.WriteAsync(writer.WrittenMemory, cancellationToken);
                }, CancellationToken.None);
                var seen = await store.QueryScalarAsync($"SELECT count() FROM parallel_in WHERE worker = {worker}", CancellationToken.None);
                Assert.Equal(((batch + 1) * rowsPerBatch).ToString(CultureInfo.InvariantCulture), seen);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        var totals = await store.QueryListAsync("SELECT worker, count(), uniqExact(n) FROM parallel_in GROUP BY worker ORDER BY worker", null, CancellationToken.None);
        Assert.Equal(8, totals.Count);
        Assert.All(totals, row => Assert.Equal(["100000", "100000"], row[1..]));
    }

    [Fact]
    public async Task QueryRowsStreamsALargeResultAndCanStopEarly()
    {
        await using var store = await OpenAsync();
        long sum = 0;
        var count = 0;
        await foreach (var row in store.QueryRowsAsync("SELECT number FROM numbers(2000000)", null, CancellationToken.None))
        {
            sum += long.Parse(row[0], CultureInfo.InvariantCulture);
            count++;
        }

        var firstFew = new List<string>();
        await foreach (var row in store.QueryRowsAsync("SELECT number FROM numbers(10000000)", null, CancellationToken.None))
        {
            firstFew.Add(row[0]);
            if (firstFew.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(2_000_000, count);
        Assert.Equal(1_999_999_000_000L, sum);
        Assert.Equal(["0", "1", "2"], firstFew);
        Assert.Equal("1", await store.QueryScalarAsync("SELECT 1", CancellationToken.None));
    }

    [Fact]
    public async Task AnErrorPartWayThroughAResultFailsTheQueryInsteadOfEndingItsRows()
    {
        await using var store = await OpenAsync();
        using var output = new MemoryStream();

        // The first blocks are fine; a later one throws after rows have already been produced.
        var error = await Assert.ThrowsAsync<ClickHouseException>(() => store.QueryAsync(
            "SELECT number, throwIf(number = 300000, 'stopped part way') FROM numbers(400000) SETTINGS max_block_size = 1000",
            "TabSeparated", output, null, CancellationToken.None));

        Assert.Equal(395, error.Code);
        Assert.Equal("FUNCTION_THROW_IF_VALUE_IS_NON_ZERO", error.Name);
        Assert.Contains("stopped part way", error.Message, StringComparison.Ordinal);
    }
}
