using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using RelayWatch.Store.Formats;

namespace RelayWatch.Store;

/// <summary>Conveniences over <see cref="IClickHouseStore"/> that both engines share.</summary>
public static class ClickHouseStoreExtensions
{
    public static Task ExecuteAsync(this IClickHouseStore store, string sql, CancellationToken cancellationToken) =>
        store.ExecuteAsync(sql, null, cancellationToken);

    /// <summary>Streams a query's rows as unescaped string fields (TabSeparated underneath).</summary>
    public static async IAsyncEnumerable<string[]> QueryRowsAsync(
        this IClickHouseStore store,
        string sql,
        IReadOnlyDictionary<string, string>? parameters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(store, sql, pipe.Writer, parameters, stop.Token);
        var completed = false;
        try
        {
            await foreach (var row in TabSeparatedReader.ReadRowsAsync(pipe.Reader, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                // The consumer stopped early or reading failed: stop the query and let it unwind quietly.
                await stop.CancelAsync().ConfigureAwait(false);
                await pipe.Reader.CompleteAsync().ConfigureAwait(false);
                await producer.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }

        await producer.ConfigureAwait(false);
    }

    /// <summary>All rows of a (small) result.</summary>
    public static async Task<IReadOnlyList<string[]>> QueryListAsync(
        this IClickHouseStore store, string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var rows = new List<string[]>();
        await foreach (var row in store.QueryRowsAsync(sql, parameters, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first field of the first row, or null when the result is empty.</summary>
    public static Task<string?> QueryScalarAsync(this IClickHouseStore store, string sql, CancellationToken cancellationToken) =>
        store.QueryScalarAsync(sql, null, cancellationToken);

    /// <summary>The first column of the first row, or null when there is no row.</summary>
    public static async Task<string?> QueryScalarAsync(this IClickHouseStore store, string sql, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0][0];
    }

    /// <summary>A whole result as text in the given format.</summary>
    public static async Task<string> QueryTextAsync(this IClickHouseStore store, string sql, string format, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        await store.QueryAsync(sql, format, output, null, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
    }

    /// <summary>Inserts one row given as column → value (JSONEachRow: strings, numbers and arrays as JSON).</summary>
    public static Task InsertRowAsync(this IClickHouseStore store, string table, IReadOnlyDictionary<string, object> row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(row);
        var line = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(row) + "\n");
        return store.InsertAsync(new BulkInsert(table, [.. row.Keys], "JSONEachRow"), (stream, token) => stream.WriteAsync(line, token).AsTask(), cancellationToken);
    }

    /// <summary>
    /// Deletes the rows of <paramref name="table"/> matching <paramref name="condition"/>, if there are any. A
    /// lightweight DELETE is a mutation even when nothing matches (about half a second), so a first run,
    /// with nothing to replace, skips it. On a cluster the rows live in the shards' <c>t_local</c> tables (a
    /// Distributed table refuses DELETE), so the delete runs there, <c>ON CLUSTER</c>.
    /// </summary>
    /// <returns>Whether there were rows to delete.</returns>
    public static async Task<bool> DeleteWhereAsync(
        this IClickHouseStore store, string table, string condition, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var existing = await store.QueryScalarAsync($"SELECT count() FROM {table} WHERE {condition}", parameters, cancellationToken).ConfigureAwait(false);
        if (existing is null or "0")
        {
            return false;
        }

        var stored = store.Info.Cluster is { } cluster ? $"{table}{Schema.ClusterLayout.LocalSuffix} ON CLUSTER {cluster}" : table;
        await store.ExecuteAsync($"DELETE FROM {stored} WHERE {condition}", parameters, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task ProduceAsync(
        IClickHouseStore store, string sql, PipeWriter writer, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await store.QueryAsync(sql, "TabSeparated", writer.AsStream(leaveOpen: true), parameters, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e).ConfigureAwait(false);
            throw;
        }
    }
}
