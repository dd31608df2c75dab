namespace RelayWatch.Cli.Serve;

/// <summary>
/// serve's syslog listener as /healthz, /ingest and /metrics show it: its state, where it listens, what this run
/// committed to the store (lines read, events stored, unrecognised lines) and when its last batch landed, its
/// committed lines a second over the last minute (null until measured), and its drops by reason.
/// </summary>
internal sealed record LiveIngestStatus(
    string State,
    string Endpoints,
    DateTimeOffset Since,
    long LinesStored,
    long EventsStored,
    long Unrecognised,
    DateTime? LastBatch,
    double? LinesPerSecond,
    IReadOnlyList<(string Reason, long Count)> Drops,
    string? Failure);
