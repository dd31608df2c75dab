namespace RelayWatch.Store.Tests;

/// <summary>
/// Parameters bind by the placeholder's type on every engine: each value round-trips, and arrays match
/// with <c>has</c>, <c>IN</c> and <c>isIPAddressInRange</c>. Run once per engine by the subclasses. The
/// values are what callers pass: a scalar as itself (strings unescaped), a composite in ClickHouse's
/// text form (<see cref="SqlText.QuoteArray"/>).
/// </summary>
public abstract class QueryParameterContract
{
    /// <summary>A store on a fresh database of the engine under test.</summary>
    protected abstract Task<IClickHouseStore> OpenAsync();

    [Theory]
    [InlineData("{v:String}", "plain", "plain")]
    [InlineData("{v:String}", "a\tb", "a\tb")]
    [InlineData("{v:String}", "\\\"", "\\\"")]
    [InlineData("{v:String}", "trailing\\", "trailing\\")]
    [InlineData("{v:String}", "line\nbreak", "line\nbreak")]
    [InlineData("{v:String}", "\\N", "\\N")]
    [InlineData("{v:String}", "x'); DROP TABLE smtp_events; --", "x'); DROP TABLE smtp_events; --")]
    [InlineData("{v:LowCardinality(String)}", "a\\tb", "a\\tb")]
    [InlineData("isNull({v:Nullable(String)})", "\\N", "1")]
    [InlineData("{v:Nullable(String)}", "a\\b", "a\\b")]
    [InlineData("toString({v:IPv6})", "2001:db8::1", "2001:db8::1")]
    [InlineData("toString({v:IPv6})", "::ffff:203.0.113.7", "::ffff:203.0.113.7")]
    [InlineData("toString({v:Date} + 1)", "2026-11-28", "2026-11-29")]
    [InlineData("toString({v:DateTime64(3, 'UTC')} + toIntervalMillisecond(1))", "2026-11-28 23:59:59.999", "2026-11-29 00:00:00.000")]
    [InlineData("{v:UInt16} + 1", "25", "26")]
    [InlineData("arrayStringConcat({v:Array(String)}, '|')", "['a','it\\'s','back\\\\slash','tab\\there']", "a|it's|back\\slash|tab\there")]
    [InlineData("length({v:Array(String)})", "['a','b','c']", "3")]
    [InlineData("length({v:Array(String)})", "[]", "0")]
    [InlineData("arrayStringConcat(arrayMap(a -> toString(a), {v:Array(IPv6)}), ',')", "['2001:db8::1','::ffff:192.0.2.1']", "2001:db8::1,::ffff:192.0.2.1")]
    [InlineData("tupleElement({v:Tuple(String, UInt16)}, 1) || '/' || toString(tupleElement({v:Tuple(String, UInt16)}, 2))", "('mx1',25)", "mx1/25")]
    [InlineData("arrayStringConcat({v:Array(Nullable(String))}, ',')", "['a',NULL,'b']", "a,b")]
    public async Task AValueRoundTripsByItsPlaceholdersType(string expression, string value, string expected)
    {
        await using var store = await OpenAsync();

        var result = await store.QueryScalarAsync($"SELECT {expression}", new Dictionary<string, string> { ["v"] = value }, CancellationToken.None);

        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData("has({v:Array(String)}, '203.0.113.0/24')", "1")]
    [InlineData("has({v:Array(String)}, '1')", "0")]
    [InlineData("'10.0.0.0/8' IN {v:Array(String)}", "1")]
    [InlineData("'[' IN {v:Array(String)}", "0")]
    [InlineData("arrayExists(n -> isIPAddressInRange('203.0.113.7', n), {v:Array(String)})", "1")]
    [InlineData("arrayExists(n -> isIPAddressInRange('2001:db8:5a0b::9', n), {v:Array(String)})", "1")]
    [InlineData("arrayExists(n -> isIPAddressInRange('198.51.100.1', n), {v:Array(String)})", "0")]
    public async Task AnArrayParameterMatchesItsElementsNotItsCharacters(string expression, string expected)
    {
        await using var store = await OpenAsync();
        var values = SqlText.QuoteArray(["10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32"]);

        var result = await store.QueryScalarAsync($"SELECT {expression}", new Dictionary<string, string> { ["v"] = values }, CancellationToken.None);

        Assert.Equal(expected, result);
    }

    [Fact]
    public async Task AnArrayParameterFiltersATableWithIn()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE subjects (subject String, ip IPv6) ENGINE = MergeTree ORDER BY subject", CancellationToken.None);
        await store.ExecuteAsync("INSERT INTO subjects VALUES ('203.0.113.7', '::ffff:203.0.113.7'), ('2001:db8::1', '2001:db8::1'), ('198.51.100.9', '::ffff:198.51.100.9')", CancellationToken.None);

        var bySubject = await store.QueryListAsync(
            "SELECT subject FROM subjects WHERE subject IN {subjects:Array(String)} ORDER BY subject",
            new Dictionary<string, string> { ["subjects"] = SqlText.QuoteArray(["2001:db8::1", "203.0.113.7", "192.0.2.1"]) },
            CancellationToken.None);
        var byAddress = await store.QueryListAsync(
            "SELECT subject FROM subjects WHERE has({ips:Array(IPv6)}, ip) ORDER BY subject",
            new Dictionary<string, string> { ["ips"] = SqlText.QuoteArray(["::ffff:198.51.100.9"]) },
            CancellationToken.None);

        Assert.Equal(["2001:db8::1", "203.0.113.7"], bySubject.Select(r => r[0]));
        Assert.Equal(["198.51.100.9"], byAddress.Select(r => r[0]));
    }

    [Fact]
    public async Task ParametersBindInStatementsToo()
    {
        await using var store = await OpenAsync();
        await store.ExecuteAsync("CREATE TABLE notes (text String) ENGINE = MergeTree ORDER BY text", CancellationToken.None);

        await store.ExecuteAsync(
            "INSERT INTO notes SELECT arrayJoin({texts:Array(String)}) UNION ALL SELECT {one:String}",
            new Dictionary<string, string> { ["texts"] = SqlText.QuoteArray(["a", "b\\c"]), ["one"] = "tab\there\\" },
            CancellationToken.None);

        Assert.Equal(["a", "b\\c", "tab\there\\"], (await store.QueryListAsync("SELECT text FROM notes ORDER BY text", null, CancellationToken.None)).Select(r => r[0]));
    }
}
