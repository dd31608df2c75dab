namespace RelayWatch.Store.Schema;

/// <summary>The statements one migration runs, in order (version 0: the migrator's own record table).</summary>
public sealed record MigrationDdl(int Version, string Name, IReadOnlyList<string> Statements);
