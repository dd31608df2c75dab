namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Where ingest stands in one file (a row of <c>ingest_checkpoints</c>). A <c>committed</c> checkpoint says
/// every batch up to <see cref="Offset"/> landed. A <c>pending</c> one names the batches that were in flight
/// when it was written: from the start of the oldest (<see cref="BatchStart"/>, with the counts before it) to
/// the end of the newest (<see cref="Offset"/>), cut at <see cref="EarlierEnds"/> between them. Any of them may
/// or may not have landed, so the next run re-reads from the oldest and re-cuts each exactly where it ended
/// (<see cref="ResendCuts"/>), re-sending it with the token of its first try.
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

    /// <summary>
    /// A pending checkpoint's batches other than the newest: where each ended, oldest first (byte offsets).
    /// Empty when one batch was in flight, and for a committed checkpoint.
    /// </summary>
    public IReadOnlyList<long> EarlierEnds { get; init; } = [];

    /// <summary>Where a run resuming from this checkpoint must cut its batches, oldest first: empty unless pending.</summary>
    public IReadOnlyList<long> ResendCuts => IsPending ? [.. EarlierEnds, Offset] : [];

    /// <summary>
    /// The version the batch before the oldest re-sent one committed with, so that every re-sent batch takes the
    /// versions of its first try (each batch takes two: pending, then committed). A rewritten pending checkpoint
    /// then has the same version as the one it repeats, and the newer batches' rows stay above both.
    /// </summary>
    public long ResumeVersion => IsPending ? Math.Max(0, Version + 1 - (2 * ResendCuts.Count)) : Version;

    /// <summary>
    /// How many times the file was truncated in place and written again from the same first line (so the same key):
    /// 0 for its first content. Part of every batch's token, so the new content is never taken for the old.
    /// </summary>
    public long Generation { get; init; }

    /// <summary>The deduplication token of the batch this checkpoint ends (a committed checkpoint: one batch).</summary>
    public string Token => Tokens.Batch(FileKey, Generation, BatchStart, Offset);

    /// <summary>
    /// Where a file truncated under this checkpoint starts again: its start, in the next generation, with no counts,
    /// at this version so that the new content's checkpoints outrank every one of the old.
    /// </summary>
    public FileCheckpoint NextGeneration(string path) =>
        new(FileKey, path, Format, Committed, 0, 0, 0, 0, FileCounts.Zero, Version) { Generation = Generation + 1 };
}
