using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Store.Schema;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Schema;

public sealed class SchemaMigratorTests
{
    private const string SchemaQuery =
        "SELECT name, engine_full, create_table_query FROM system.tables WHERE database = currentDatabase() ORDER BY name";

    [Fact]
    public async Task MigratingTwiceAppliesEverythingOnceAndLeavesTheSameSchema()
    {
        await using var store = await TestEngine.OpenWithoutMigratingAsync();
        var options = TestEngine.Options(store.Info.Database);
        var migrator = new SchemaMigrator(store, options, NullLogger.Instance);

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var schemaAfterFirst = await store.QueryListAsync(SchemaQuery, null, CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);
        var schemaAfterSecond = await store.QueryListAsync(SchemaQuery, null, CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, SchemaMigrator.LatestVersion), first);
        Assert.Empty(second);
        Assert.Equal(schemaAfterFirst, schemaAfterSecond);
        Assert.Equal(["blocklist_changes", "console_audit", "dmarc_records", "finding_dismissals", "findings", "ingest_checkpoints", "ingest_errors", "ip_labels", "ip_models", "ip_scores", "listener_drops", "network_context_networks", "schema_migrations", "score_runs", "smtp_events", "tls_reports"], schemaAfterSecond.Select(r => r[0]));
        Assert.Equal(SchemaMigrator.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), await store.QueryScalarAsync("SELECT count() FROM schema_migrations FINAL", CancellationToken.None));
    }

    [Fact]
    public async Task ThePublicTablesHaveTheColumnsOfTheContract()
    {
        await using var store = await TestEngine.OpenAsync();

        var columns = await store.QueryListAsync(
            "SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND table IN ('smtp_events', 'findings', 'ip_scores') ORDER BY table, position",
            null, CancellationToken.None);
        string Type(string table, string column) => columns.Single(c => c[0] == table && c[1] == column)[2];

        Assert.Equal("DateTime64(3, 'UTC')", Type("smtp_events", "ts"));
        Assert.Equal("IPv6", Type("smtp_events", "client_ip"));
        foreach (var column in new[] { "relay", "source", "event", "client_host", "helo", "mail_from", "rcpt_to", "smtp_code", "dsn", "reason", "queue_id", "session_id", "message_id", "size", "sasl_user", "file", "line" })
        {
            Assert.Contains(columns, c => c[0] == "smtp_events" && c[1] == column);
        }

        Assert.Equal("Date", Type("findings", "day"));
        Assert.Equal("String", Type("findings", "evidence"));
        foreach (var column in new[] { "detector", "subject", "severity", "score", "first_seen", "last_seen", "events" })
        {
            Assert.Contains(columns, c => c[0] == "findings" && c[1] == column);
        }

        Assert.Equal("Float32", Type("ip_scores", "score"));
        Assert.Equal("Array(String)", Type("ip_scores", "reasons"));
        Assert.Equal("String", Type("ip_scores", "ip"));
    }

    [Fact]
    public async Task RetentionFollowsTheConfiguredDaysAndChangesWhenTheyChange()
    {
        await using var store = await TestEngine.OpenWithoutMigratingAsync();
        var options = TestEngine.Options(store.Info.Database);
        options.EventRetentionDays = 30;

        await new SchemaMigrator(store, options, NullLogger.Instance).MigrateAsync(CancellationToken.None);
        var before = await store.QueryScalarAsync("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'smtp_events'", CancellationToken.None);
        options.EventRetentionDays = 90;
        await new SchemaMigrator(store, options, NullLogger.Instance).MigrateAsync(CancellationToken.None);
        var after = await store.QueryScalarAsync("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'smtp_events'", CancellationToken.None);

        Assert.Contains("TTL toDateTime(ts) + toIntervalDay(30)", before, StringComparison.Ordinal);
        Assert.Contains("TTL toDateTime(ts) + toIntervalDay(90)", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditedShippedMigrationIsRefused()
    {
        await using var store = await TestEngine.OpenAsync();
        await store.ExecuteAsync("INSERT INTO schema_migrations VALUES (2, 'findings', 'edited', now64(3) + 1)", CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new SchemaMigrator(store, TestEngine.Options(store.Info.Database), NullLogger.Instance).MigrateAsync(CancellationToken.None));

        Assert.Equal(
            $"Schema migration 2 (findings) differs from the one applied to database {store.Info.Database}; shipped migrations must never be edited, add a new one instead.",
            error.Message);
    }

    [Fact]
    public void StatementsSplitAtSemicolonsThatEndALine()
    {
        var statements = Migration.SplitStatements("-- comment; not a statement\nCREATE TABLE a (x String DEFAULT ';')\nENGINE = Memory;\n\nSELECT 1;  \n");

        Assert.Equal(["CREATE TABLE a (x String DEFAULT ';')\nENGINE = Memory", "SELECT 1"], statements);
    }
}
