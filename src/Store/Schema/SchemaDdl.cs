using System.Globalization;

namespace RelayWatch.Store.Schema;

/// <summary>The DDL the migrator runs on a fresh database: single-node as shipped, or laid out for a cluster.</summary>
public static class SchemaDdl
{
    /// <summary>The name under which the migrator's own record table is listed (version 0).</summary>
    public const string RecordTable = "schema_migrations";

    /// <summary>Every migration's statements in order, preceded by the record table the migrator creates first.</summary>
    public static IReadOnlyList<MigrationDdl> SingleNode() =>
    [
        new(0, RecordTable, [SchemaMigrator.CreateMigrationTable]),
        .. Migration.All.Select(m => new MigrationDdl(m.Version, m.Name, m.Statements)),
    ];

    /// <summary>The same, laid out for <paramref name="layout"/>'s cluster; throws <see cref="ClusterLayoutException"/> on a statement it does not understand.</summary>
    public static IReadOnlyList<MigrationDdl> ForCluster(ClusterLayout layout) =>
    [
        .. SingleNode().Select(m => new MigrationDdl(
            m.Version,
            m.Name,
            [.. m.Statements.SelectMany(s => layout.Translate(string.Create(CultureInfo.InvariantCulture, $"{m.Version:D4}_{m.Name}"), s))])),
    ];
}
