namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Moments in a batch's way to the store where the exactly-once tests wait or kill their own process; both
/// run on the batch's own task, beside the other batches in flight. Production uses <see cref="None"/>.
/// </summary>
internal sealed class BatchWriterSeams
{
    public static readonly BatchWriterSeams None = new();

    /// <summary>After the batch's pending checkpoint is written and before its rows are sent.</summary>
    public Func<FileCheckpoint, Task>? BeforeRows { get; init; }

    /// <summary>After the batch's rows landed and before its checkpoint commits: the worst moment to die.</summary>
    public Action<FileCheckpoint>? AfterRows { get; init; }

    internal Task BeforeRowsAsync(FileCheckpoint batch) => BeforeRows?.Invoke(batch) ?? Task.CompletedTask;

    internal void RowsLanded(FileCheckpoint batch) => AfterRows?.Invoke(batch);
}
