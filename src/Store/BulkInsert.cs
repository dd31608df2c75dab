using System.Text;

namespace RelayWatch.Store;

/// <summary>What a bulk insert writes into: a table, its columns in the order the rows carry them, and the input format.</summary>
/// <param name="Table">Table name, optionally qualified by database.</param>
/// <param name="Columns">Column names in the order each encoded row carries them.</param>
/// <param name="Format">ClickHouse input format of the encoded rows; RowBinary unless said otherwise.</param>
public sealed record BulkInsert(string Table, IReadOnlyList<string> Columns, string Format = "RowBinary")
{
    /// <summary>
    /// Per-insert ClickHouse settings, e.g. <c>insert_deduplication_token</c>. Values are written as
    /// quoted string literals, which ClickHouse converts to the setting's type.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The statement without its FORMAT clause: <c>INSERT INTO t (a, b) SETTINGS k = 'v'</c>.</summary>
    public string ToSql()
    {
        var sql = new StringBuilder("INSERT INTO ").Append(Table).Append(" (");
        sql.AppendJoin(", ", Columns.Select(SqlText.QuoteIdentifier)).Append(')');
        if (Settings.Count > 0)
        {
            sql.Append(" SETTINGS ");
            sql.AppendJoin(", ", Settings.Select(s => $"{s.Key} = {SqlText.QuoteString(s.Value)}"));
        }

        return sql.ToString();
    }
}
