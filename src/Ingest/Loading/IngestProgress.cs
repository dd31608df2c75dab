namespace RelayWatch.Ingest.Loading;

/// <summary>A snapshot of a long ingest, for a progress display.</summary>
public sealed record IngestProgress(int FilesDone, int Files, string CurrentFile, long Lines, long Unrecognised, TimeSpan Elapsed);
