namespace RelayWatch.Store;

/// <summary>
/// Replaces a slice of a table (a day's findings of one detector, a day's scores of one model) without a
/// moment where the slice is empty: the new run's rows go in first, each carrying the run's id in the
/// table's <c>run</c> column, and only when they are all written are the older runs' rows deleted. A run
/// that fails takes its own rows back, so the slice stays as it was. A process killed in between leaves
/// old and new rows side by side, never none; the next run of the slice removes both.
/// </summary>
public static class RunReplacing
{
    /// <param name="slice">The slice's condition, with the <c>{…}</c> placeholders of <paramref name="parameters"/>.</param>
    /// <param name="parameters">The slice's parameters, and the run's id as <c>run</c>.</param>
    /// <param name="insert">Writes the new run's rows (with <c>run</c> set to the run's id).</param>
    public static async Task InsertThenReplaceAsync(
        IClickHouseStore store,
        string table,
        string slice,
        IReadOnlyDictionary<string, string> parameters,
        Func<CancellationToken, Task> insert,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(insert);
        if (!parameters.ContainsKey("run"))
        {
            throw new ArgumentException("The parameters must carry the run's id as 'run'.", nameof(parameters));
        }

        try
        {
            await insert(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await TakeBackAsync(store, table, slice, parameters).ConfigureAwait(false);
            throw;
        }

        await store.DeleteWhereAsync(table, $"{slice} AND run != {{run:String}}", parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a failed run's rows; not cancellable (they must go even when the run was cancelled), and never hiding why the run failed.</summary>
    private static async Task TakeBackAsync(IClickHouseStore store, string table, string slice, IReadOnlyDictionary<string, string> parameters)
    {
        try
        {
            await store.DeleteWhereAsync(table, $"{slice} AND run = {{run:String}}", parameters, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClickHouseException or StoreUnavailableException or IOException or InvalidOperationException)
        {
            // The store itself failed: the rows stay beside the old ones, and the next run of the slice removes them.
        }
    }
}
