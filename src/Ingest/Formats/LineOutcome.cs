namespace RelayWatch.Ingest.Formats;

/// <summary>What became of one line.</summary>
public enum LineOutcome
{
    /// <summary>Recognised, and recorded as an event.</summary>
    Event,

    /// <summary>Recognised, and deliberately not stored (TLS handshakes, statistics, other programs' lines).</summary>
    Skipped,

    /// <summary>Not recognised: counted, and a sample kept in <c>ingest_errors</c>.</summary>
    Unrecognised,
}
