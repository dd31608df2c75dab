using System.Globalization;
using Microsoft.Extensions.Logging;

namespace RelayWatch.Store.Schema;

/// <summary>
/// Brings a database to the current schema: applies, in order, each shipped migration that the
/// <c>schema_migrations</c> table does not record, then sets each table's retention TTL to the
/// configured number of days. Safe to run at every start and from several processes: statements
/// are idempotent (<c>IF NOT EXISTS</c>) and the record table collapses repeats by version.
/// With <see cref="StoreOptions.Cluster"/> set, every statement runs in its cluster form
/// (<see cref="ClusterLayout"/>, the same DDL <c>relaywatch schema --cluster</c> prints), the record table
/// included, and retention is set on the stored <c>t_local</c> tables.
/// </summary>
public sealed class SchemaMigrator(IClickHouseStore store, StoreOptions options, ILogger logger)
{
    private readonly ClusterLayout? layout = options.Cluster is null ? null : new ClusterLayout(options.Cluster);

    internal const string CreateMigrationTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations
        (
            version UInt32,
            name String,
            checksum String,
            applied_at DateTime64(3, 'UTC')
        )
        ENGINE = ReplacingMergeTree(applied_at)
        ORDER BY version
        """;

    /// <summary>The latest schema version this build knows.</summary>
    public static int LatestVersion => Migration.All[^1].Version;

    /// <summary>Applies what is missing and returns the versions it applied (empty when up to date).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        foreach (var statement in Form(0, SchemaDdl.RecordTable, CreateMigrationTable))
        {
            await store.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
        }

        var applied = new Dictionary<int, string>();
        foreach (var row in await store.QueryListAsync("SELECT version, argMax(checksum, applied_at) FROM schema_migrations GROUP BY version", null, cancellationToken).ConfigureAwait(false))
        {
            applied[int.Parse(row[0], CultureInfo.InvariantCulture)] = row[1];
        }

        var newlyApplied = new List<int>();
        foreach (var migration in Migration.All)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Schema migration {migration.Version} ({migration.Name}) differs from the one applied to database {store.Info.Database}; shipped migrations must never be edited, add a new one instead.");
                }

                continue;
            }

            foreach (var statement in migration.Statements.SelectMany(s => Form(migration.Version, migration.Name, s)))
            {
                await store.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
            }

            await store.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ({version:UInt32}, {name:String}, {checksum:String}, now64(3))",
                new Dictionary<string, string>
                {
                    ["version"] = migration.Version.ToString(CultureInfo.InvariantCulture),
                    ["name"] = migration.Name,
                    ["checksum"] = migration.Checksum,
                },
                cancellationToken).ConfigureAwait(false);
            if (applied.Count > 0)
            {
                // An upgrade of an existing store is news; the creation of a fresh one is not.
                Log.MigrationApplied(logger, migration.Version, migration.Name);
            }
            else
            {
                Log.MigrationAppliedToNewStore(logger, migration.Version, migration.Name);
            }
            newlyApplied.Add(migration.Version);
        }

        await ApplyRetentionAsync(cancellationToken).ConfigureAwait(false);
        return newlyApplied;
    }

    /// <summary>Sets each table's TTL to the configured days, touching only tables whose TTL differs.</summary>
    private async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        (string Table, string Expression, int Days)[] rules =
        [
            ("smtp_events", "toDateTime(ts)", options.EventRetentionDays),
            ("findings", "day", options.FindingRetentionDays),
            ("ip_scores", "day", options.FindingRetentionDays),
        ];

        var engines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in await store.QueryListAsync(
            "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase()", null, cancellationToken).ConfigureAwait(false))
        {
            engines[row[0]] = row[1];
        }

        foreach (var (table, expression, days) in rules)
        {
            var wanted = string.Create(CultureInfo.InvariantCulture, $"toIntervalDay({days})");
            // On a cluster the TTL belongs to the stored table; the Distributed one holds no rows.
            var engine = engines.GetValueOrDefault(layout is null ? table : table + ClusterLayout.LocalSuffix);
            if (engine is not null && engine.Contains(wanted, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var statement in Form(0, "retention", string.Create(CultureInfo.InvariantCulture, $"ALTER TABLE {table} MODIFY TTL {expression} + INTERVAL {days} DAY")))
            {
                await store.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
            }

            if (engine is not null && engine.Contains(" TTL ", StringComparison.Ordinal))
            {
                Log.RetentionChanged(logger, table, days);
            }
            else
            {
                Log.RetentionSet(logger, table, days);
            }
        }
    }

    /// <summary>A statement as this store runs it: as written on a single node, else in the cluster's form.</summary>
    private IReadOnlyList<string> Form(int version, string name, string statement) =>
        layout is null ? [statement] : layout.Translate(string.Create(CultureInfo.InvariantCulture, $"{version:D4}_{name}"), statement);
}
