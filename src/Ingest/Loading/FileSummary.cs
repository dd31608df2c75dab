namespace RelayWatch.Ingest.Loading;

/// <summary>What one run did with one file.</summary>
/// <param name="Format">The format read, or empty when none was recognised.</param>
/// <param name="Counts">The lines this run read (a resumed or re-ingested file counts only what was new).</param>
/// <param name="Problem">Why the file was not (fully) read, in one sentence; null when it was.</param>
public sealed record FileSummary(string Path, string Format, FileCounts Counts, string? Problem)
{
    /// <summary>
    /// Why a file found in a folder was passed over (not a mail log, a copy of another, unreadable): a note
    /// for the reader, not a failure. Null for a file that was read.
    /// </summary>
    public string? PassedOver { get; init; }
}
