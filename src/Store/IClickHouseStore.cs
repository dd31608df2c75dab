namespace RelayWatch.Store;

/// <summary>
/// All ClickHouse work goes through this interface, whichever engine is behind it: the embedded
/// chDB library (default) or a ClickHouse server over HTTP. The SQL is the same for both.
/// Implementations are safe to use from many threads at once.
/// </summary>
public interface IClickHouseStore : IAsyncDisposable
{
    /// <summary>Which engine this is, where its data lives, and the database in use.</summary>
    StoreInfo Info { get; }

    /// <summary>Runs a statement that returns nothing useful (DDL, INSERT … SELECT, ALTER).</summary>
    /// <param name="parameters">Values for <c>{name:Type}</c> placeholders, bound by ClickHouse, never spliced into the text.</param>
    Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a query and streams its result, in ClickHouse output format <paramref name="format"/>
    /// (TabSeparated, CSVWithNames, JSON, RowBinary, PrettyCompact, …), into <paramref name="output"/>.
    /// </summary>
    Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="QueryAsync(string, string, Stream, IReadOnlyDictionary{string, string}?, CancellationToken)"/> under
    /// ClickHouse <paramref name="settings"/> that bind this statement alone and that the engine enforces
    /// (<c>readonly</c>, <c>max_result_rows</c>, <c>max_execution_time</c>, …): the embedded engine sets them on a
    /// session of its own that is closed afterwards, a server receives them with the request. For statements
    /// a person typed (the console's SQL page): with <c>readonly=1</c> the engine refuses every write.
    /// </summary>
    /// <param name="settings">Setting names and values: names of letters, digits and underscores; values of letters, digits, '_' and '.'.</param>
    /// <exception cref="ArgumentException">A setting's name or value is outside those characters.</exception>
    Task QueryAsync(string sql, string format, Stream output, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken);

    /// <summary>
    /// Bulk-inserts rows that <paramref name="writeRows"/> writes, encoded in <see cref="BulkInsert.Format"/>,
    /// into the stream it is handed. The rows travel in large chunks, never one statement per row.
    /// </summary>
    /// <remarks>
    /// Several inserts may run at once (on two cores, two concurrent inserts come close to the
    /// engine's own rate; see bench/README.md). As in ClickHouse itself, an insert that fails part
    /// way is not rolled back: blocks the engine already formed (about a million rows each) stay.
    /// Callers that need all-or-nothing keep batches below that size or use deduplication tokens.
    /// </remarks>
    /// <returns>The number of rows ClickHouse wrote.</returns>
    Task<long> InsertAsync(BulkInsert insert, Func<Stream, CancellationToken, Task> writeRows, CancellationToken cancellationToken);
}
