using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats;

/// <summary>Where lines come from, and what they need that they may not say.</summary>
/// <param name="File">The file's path, recorded as lineage.</param>
/// <param name="Relay">The relay's name when given on the command line; else the syslog host is used.</param>
internal sealed record LineOrigin(string File, string? Relay, TimestampContext Timestamps);
