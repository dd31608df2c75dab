using RelayWatch.Store.Formats;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Consecutive lines of one file, parsed: their events encoded as RowBinary, samples of the lines
/// that were not clean, and the checkpoint that holds once the batch has landed.
/// </summary>
internal sealed class EventBatch(FileCheckpoint checkpoint, FileCounts batchCounts, RowBinaryWriter rows, int rowCount, IReadOnlyList<ErrorSample> errors)
{
    /// <summary>The checkpoint after this batch (state committed).</summary>
    public FileCheckpoint Checkpoint { get; } = checkpoint;

    /// <summary>What became of this batch's lines alone (the checkpoint's counts are cumulative).</summary>
    public FileCounts BatchCounts { get; } = batchCounts;

    public RowBinaryWriter Rows { get; } = rows;

    public int RowCount { get; } = rowCount;

    public IReadOnlyList<ErrorSample> Errors { get; } = errors;
}
