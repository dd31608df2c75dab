namespace RelayWatch.Store.Schema;

/// <summary>What one command of an ALTER TABLE changes, which decides where it runs on a cluster.</summary>
internal enum AlterCommandKind
{
    /// <summary>Not understood: a cluster layout refuses it.</summary>
    Unknown,

    /// <summary>The table's columns (ADD, DROP, RENAME, COMMENT COLUMN): every table that exposes them.</summary>
    Columns,

    /// <summary>MODIFY COLUMN: its type on every table, its codec and TTL on the stored one only.</summary>
    ModifyColumn,

    /// <summary>How or what is stored (settings, TTL, skip indexes, projections, parts and partitions, mutations): the stored table only.</summary>
    Storage,
}
