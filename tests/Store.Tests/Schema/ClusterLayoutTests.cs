using System.Text.RegularExpressions;
using RelayWatch.Store.Schema;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Schema;

public sealed partial class ClusterLayoutTests
{
    private static readonly ClusterLayout Main = new("main");

    private static IEnumerable<string> ClusterStatements => SchemaDdl.ForCluster(Main).SelectMany(m => m.Statements);

    [Fact]
    public async Task EveryStatementOfBothFormsParsesWithTheEnginesOwnParser()
    {
        await using var store = await TestEngine.OpenWithoutMigratingAsync();
        var statements = ClusterStatements.Concat(SchemaDdl.SingleNode().SelectMany(m => m.Statements)).ToList();

        foreach (var statement in statements)
        {
            var formatted = await FormatAsync(store, statement);
            Assert.False(string.IsNullOrWhiteSpace(formatted), statement);
        }

        // The check can fail: the parser refuses what is not ClickHouse SQL.
        var refusal = await Assert.ThrowsAsync<ClickHouseException>(() => FormatAsync(store, "CREATE TABLE t ON CLUSTER main (a UInt8) ENGINE = Distributed(main,"));
        Assert.Contains("Syntax error", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEnginesParserReadsTheClusterAndTheEngineAsWritten()
    {
        await using var store = await TestEngine.OpenWithoutMigratingAsync();

        foreach (var statement in ClusterStatements)
        {
            var formatted = await FormatAsync(store, statement);
            Assert.Contains(" ON CLUSTER main", formatted, StringComparison.Ordinal);
            if (statement.StartsWith("CREATE TABLE", StringComparison.Ordinal))
            {
                // The formatter prints the engine it parsed: the replicated one, or Distributed over the local table.
                Assert.Matches(@"ENGINE = (Replicated\w*MergeTree\('/clickhouse/tables/\{shard\}/\{database\}/\w+_local', '\{replica\}'|Distributed\(main, currentDatabase\(\), \w+_local, cityHash64\()", formatted);
            }
        }
    }

    [Fact]
    public void EveryTableIsAReplicatedLocalTableAndADistributedTableOverIt()
    {
        var created = SchemaDdl.SingleNode()
            .SelectMany(m => m.Statements)
            .Select(MigrationStatement.Parse)
            .OfType<CreateTableStatement>()
            .ToList();
        var statements = ClusterStatements.ToList();

        Assert.NotEmpty(created);
        Assert.All(statements, s => Assert.Contains(" ON CLUSTER main", s, StringComparison.Ordinal));
        foreach (var table in created)
        {
            var local = Assert.Single(statements, s => s.StartsWith($"CREATE TABLE IF NOT EXISTS {table.Table}_local ON CLUSTER main\n", StringComparison.Ordinal));
            Assert.Contains($"ENGINE = Replicated{table.Engine}('/clickhouse/tables/{{shard}}/{{database}}/{table.Table}_local', '{{replica}}'", local, StringComparison.Ordinal);
            var distributed = Assert.Single(statements, s => s.StartsWith($"CREATE TABLE IF NOT EXISTS {table.Table} ON CLUSTER main AS {table.Table}_local\n", StringComparison.Ordinal));
            Assert.Contains($"ENGINE = Distributed(main, currentDatabase(), {table.Table}_local, cityHash64(", distributed, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(statements, s => s.Contains("non_replicated", StringComparison.Ordinal));
        Assert.Contains("SETTINGS replicated_deduplication_window = 10000", statements.Single(s => s.Contains("ingest_errors_local ON", StringComparison.Ordinal) && s.StartsWith("CREATE", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Theory]
    // Hand-derived from the migrations by the rule: client_ip, else ip, else subject, else the sorting key.
    [InlineData("smtp_events", "cityHash64(client_ip)")]
    [InlineData("findings", "cityHash64(subject)")]
    [InlineData("ip_scores", "cityHash64(ip)")]
    [InlineData("ip_labels", "cityHash64(subject)")]
    [InlineData("blocklist_changes", "cityHash64(subject)")]
    [InlineData("ingest_checkpoints", "cityHash64(file_key)")]
    [InlineData("listener_drops", "cityHash64(listener, reason)")]
    [InlineData("network_context_networks", "cityHash64(network)")]
    [InlineData("dmarc_records", "cityHash64(policy_domain, date_begin, source_ip)")]
    [InlineData("tls_reports", "cityHash64(policy_domain, date_begin)")]
    [InlineData("ingest_errors", "cityHash64(file, line)")]
    [InlineData("ip_models", "cityHash64(trained_at, version)")]
    [InlineData("score_runs", "cityHash64(day, model, created_at)")]
    [InlineData("schema_migrations", "cityHash64(version)")]
    public void EachTableIsShardedByTheRule(string table, string key)
    {
        var distributed = ClusterStatements.Single(s => s.StartsWith($"CREATE TABLE IF NOT EXISTS {table} ON CLUSTER", StringComparison.Ordinal));

        Assert.Equal(key, DistributedKey().Match(distributed).Groups["key"].Value);
    }

    [Fact]
    public void AnAddressColumnOutsideACollapsingSortingKeyDoesNotShardIt()
    {
        // Rows a ReplacingMergeTree collapses share the sorting key, not necessarily the ip: they must meet on one shard.
        var statements = Main.Translate("9999_test", "CREATE TABLE IF NOT EXISTS seen (host String, ip String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY host");
        var inKey = Main.Translate("9999_test", "CREATE TABLE IF NOT EXISTS seen (host String, ip String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (ip, host)");

        Assert.Equal("cityHash64(host)", DistributedKey().Match(statements[1]).Groups["key"].Value);
        Assert.Equal("cityHash64(ip)", DistributedKey().Match(inKey[1]).Groups["key"].Value);
        Assert.Equal("CREATE TABLE IF NOT EXISTS seen_local ON CLUSTER main (host String, ip String, version UInt64) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/seen_local', '{replica}', version) ORDER BY host", statements[0]);
    }

    [Fact]
    public async Task ColumnChangesRunOnBothTablesAndStorageChangesOnTheLocalOneOnly()
    {
        var added = Main.Translate("0005_next_hop", "ALTER TABLE smtp_events ADD COLUMN IF NOT EXISTS next_hop String AFTER detail");
        var setting = Main.Translate("0004_ingest", "ALTER TABLE smtp_events MODIFY SETTING non_replicated_deduplication_window = 10000");
        var ttl = Main.Translate("retention", "ALTER TABLE findings MODIFY TTL day + INTERVAL 400 DAY");
        // The shape of the storage migration (issue 20): a codec with and without a type, several commands at once.
        var codecs = Main.Translate("0012_codecs",
            "ALTER TABLE smtp_events MODIFY COLUMN ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)), MODIFY COLUMN line CODEC(Delta(8), ZSTD(1)), MODIFY COLUMN message_id String COMMENT 'Message-ID, as logged' CODEC(ZSTD(3))");
        var codecOnly = Main.Translate("0012_codecs", "ALTER TABLE smtp_events MODIFY COLUMN IF EXISTS line CODEC(T64, ZSTD(1))");

        Assert.Equal(
            ["ALTER TABLE smtp_events_local ON CLUSTER main ADD COLUMN IF NOT EXISTS next_hop String AFTER detail", "ALTER TABLE smtp_events ON CLUSTER main ADD COLUMN IF NOT EXISTS next_hop String AFTER detail"],
            added);
        Assert.Equal(["ALTER TABLE smtp_events_local ON CLUSTER main MODIFY SETTING replicated_deduplication_window = 10000"], setting);
        Assert.Equal(["ALTER TABLE findings_local ON CLUSTER main MODIFY TTL day + INTERVAL 400 DAY"], ttl);
        Assert.Equal(
            [
                "ALTER TABLE smtp_events_local ON CLUSTER main MODIFY COLUMN ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)), MODIFY COLUMN line CODEC(Delta(8), ZSTD(1)), MODIFY COLUMN message_id String COMMENT 'Message-ID, as logged' CODEC(ZSTD(3))",
                "ALTER TABLE smtp_events ON CLUSTER main MODIFY COLUMN ts DateTime64(3, 'UTC'), MODIFY COLUMN message_id String COMMENT 'Message-ID, as logged'",
            ],
            codecs);
        Assert.Equal(["ALTER TABLE smtp_events_local ON CLUSTER main MODIFY COLUMN IF EXISTS line CODEC(T64, ZSTD(1))"], codecOnly);

        await using var store = await TestEngine.OpenWithoutMigratingAsync();
        foreach (var statement in added.Concat(setting).Concat(ttl).Concat(codecs).Concat(codecOnly))
        {
            Assert.Contains(" ON CLUSTER main", await FormatAsync(store, statement), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LiteralsAndCommentsDoNotConfuseTheStructure()
    {
        const string statement = """
            CREATE TABLE IF NOT EXISTS notes
            (
                day Date, -- not the subject, nor ORDER BY ip
                note String DEFAULT 'x) ENGINE = Memory ORDER BY (subject, ' COMMENT 'a, b'
            )
            ENGINE = MergeTree
            ORDER BY (day, note)
            """;

        var created = Assert.IsType<CreateTableStatement>(MigrationStatement.Parse(statement));
        var statements = Main.Translate("9999_test", statement);

        Assert.Equal(["day", "note"], created.Columns);
        Assert.Equal(["day", "note"], created.SortingKey);
        Assert.Equal("MergeTree", created.Engine);
        Assert.Equal("cityHash64(day, note)", DistributedKey().Match(statements[1]).Groups["key"].Value);
        Assert.Contains("note String DEFAULT 'x) ENGINE = Memory ORDER BY (subject, ' COMMENT 'a, b'\n)\nENGINE = ReplicatedMergeTree(", statements[0], StringComparison.Ordinal);
        await using var store = await TestEngine.OpenWithoutMigratingAsync();
        foreach (var translated in statements)
        {
            Assert.Contains(" ON CLUSTER main", await FormatAsync(store, translated), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("INSERT INTO smtp_events SELECT * FROM smtp_events_old", "only CREATE TABLE and ALTER TABLE statements are understood")]
    [InlineData("CREATE TABLE IF NOT EXISTS cache (k String) ENGINE = Memory", "the engine Memory has no replicated form here (only the MergeTree family has)")]
    [InlineData("CREATE TABLE IF NOT EXISTS events_new AS smtp_events", "only CREATE TABLE name (columns) ENGINE = … is understood")]
    [InlineData("CREATE TABLE IF NOT EXISTS relaywatch.t (a UInt8) ENGINE = MergeTree ORDER BY a", "the table must be named plainly, without a database or quotes")]
    [InlineData("CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY tuple()", "the table has no client_ip, ip or subject column and no sorting key to shard by")]
    [InlineData("ALTER TABLE smtp_events ON CLUSTER main ADD COLUMN x String", "it already names a cluster")]
    [InlineData("ALTER TABLE smtp_events ADD COLUMN x String, MODIFY ORDER BY (toDate(ts), event, client_ip, ts, x)", "the command 'MODIFY ORDER BY (toDate(ts), event, client_ip, ts, x)' is not understood")]
    public void AStatementItDoesNotUnderstandIsRefusedNamingTheMigrationAndTheStatement(string statement, string reason)
    {
        var refusal = Assert.Throws<ClusterLayoutException>(() => Main.Translate("0012_codecs", statement));

        Assert.Equal($"Migration 0012_codecs cannot be laid out for a cluster: {reason}. The statement: {statement}", refusal.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1main")]
    [InlineData("main ON CLUSTER other")]
    [InlineData("main`")]
    public void AClusterNameMustBePlain(string name)
    {
        var refusal = Assert.Throws<ArgumentException>(() => new ClusterLayout(name));

        Assert.StartsWith($"The cluster name '{name}' is not a plain name", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSingleNodeFormIsWhatTheMigratorRuns()
    {
        var ddl = SchemaDdl.SingleNode();

        Assert.Equal(SchemaMigrator.CreateMigrationTable, Assert.Single(ddl[0].Statements));
        Assert.Equal(Migration.All.Select(m => (m.Version, m.Name, m.Statements)), ddl.Skip(1).Select(m => (m.Version, m.Name, m.Statements)));
    }

    private static Task<string?> FormatAsync(IClickHouseStore store, string statement) =>
        store.QueryScalarAsync("SELECT formatQuery({q:String})", new Dictionary<string, string> { ["q"] = statement }, CancellationToken.None);

    [GeneratedRegex(@"ENGINE = Distributed\(main, currentDatabase\(\), \w+_local, (?<key>.+)\)\z")]
    private static partial Regex DistributedKey();
}
