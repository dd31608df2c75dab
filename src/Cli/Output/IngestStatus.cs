namespace RelayWatch.Cli.Output;

/// <summary>What ingest has read so far in one format, over every source (file, stdin run, listener run), from the latest checkpoints.</summary>
internal sealed record IngestStatus(string Format, long Files, long Lines, long Events, long Skipped, long Unrecognised, long Repaired);
