namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Where ingest stands in one file (a row of <c>ingest_checkpoints</c>). A <c>pending</c> checkpoint
/// names a batch whose insert may or may not have landed; it is re-sent exactly, with its token.
/// </summary>
internal sealed record FileCheckpoint(
    string FileKey,
    string Path,
    string Format,
    string State,
    long BatchStart,
    long BatchStartLine,
    long Offset,
    long Line,
    FileCounts Counts,
    long Version)
{
    public const string Pending = "pending";
    public const string Committed = "committed";

    public bool IsPending => State == Pending;

    /// <summary>The deduplication token of the batch this checkpoint ends.</summary>
    public string Token => Tokens.Batch(FileKey, BatchStart, Offset);
}
