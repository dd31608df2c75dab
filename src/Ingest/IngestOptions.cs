using RelayWatch.Ingest.Formats;

namespace RelayWatch.Ingest;

/// <summary>How <see cref="Loading.IngestRunner"/> reads logs. Defaults suit a relay's own syslog files.</summary>
public sealed class IngestOptions
{
    /// <summary>The most inserts <see cref="InsertsInFlight"/> allows: each holds a batch's rows in memory.</summary>
    public const int MaxInsertsInFlight = 16;

    /// <summary>The format of every file; null detects it per file from its first lines.</summary>
    public LogFormat? Format { get; set; }

    /// <summary>The relay's name for every event; null takes the host name each line was logged by.</summary>
    public string? Relay { get; set; }

    /// <summary>Year of RFC 3164 stamps (which have none); null takes each file's last-write year, rolling December back in January.</summary>
    public int? Year { get; set; }

    /// <summary>
    /// Order of numeric dates that could be read either way (Domino's <c>05/11/2026</c>); null detects it
    /// per file from its first lines, else takes dotted dates as day-first and others as month-first.
    /// </summary>
    public DateOrder? DateOrder { get; set; }

    /// <summary>
    /// How long a session's or message's correlation state may sit idle before it is dropped (its lines'
    /// events are stored as they come, so nothing is lost with it; a later line of it is stored without
    /// what the dropped state knew). Null keeps each format's default: 5 days for Postfix (its queue
    /// lifetime), 7 for the others, 1 for Exchange's protocol sessions.
    /// </summary>
    public TimeSpan? CorrelationHorizon { get; set; }

    /// <summary>Zone of stamps without an offset. Default UTC.</summary>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>
    /// Days of events the store keeps (its retention TTL); older events are counted as expired and
    /// not sent, since the store would drop them at once. Null keeps everything.
    /// </summary>
    public int? RetentionDays { get; set; }

    /// <summary>
    /// Lines per batch: each batch is one insert and one checkpoint. Default 200,000: measured on every format
    /// (bench/README.md), it costs a quarter less CPU than 100,000 and peaks lower; 400,000 saves little more
    /// and took a dense Sendmail log over 1 GiB.
    /// </summary>
    public int BatchLines { get; set; } = 200_000;

    /// <summary>
    /// Batches whose inserts may run at once. Two use both cores of a small machine (the engine parses and
    /// inserts one insert's rows on one thread); more help a server with cores to spare. Exactly-once holds
    /// for any number: a crash re-sends every batch that was in flight. Default 2.
    /// </summary>
    public int InsertsInFlight { get; set; } = 2;

    /// <summary>Unrecognised or repaired lines kept as samples in <c>ingest_errors</c>, per file and run. Default 100.</summary>
    public int ErrorSamplesPerFile { get; set; } = 100;

    /// <summary>
    /// The folder of the lock files by which a run claims the log files it reads on this host, so that two
    /// processes never read one file at once (<see cref="Loading.ReadClaims"/>). Default: one per user in the
    /// temporary folder.
    /// </summary>
    public string? ClaimFolder { get; set; }

    public void Validate()
    {
        if (BatchLines < 1)
        {
            throw new ArgumentException("The batch size must be at least one line.");
        }

        if (InsertsInFlight is < 1 or > MaxInsertsInFlight)
        {
            throw new ArgumentException($"The inserts in flight must be between 1 and {MaxInsertsInFlight}.");
        }

        if (CorrelationHorizon is { } horizon && horizon <= TimeSpan.Zero)
        {
            throw new ArgumentException("The correlation horizon must be longer than zero.");
        }

        if (Year is < 1970 or > 9999)
        {
            throw new ArgumentException($"The year {Year} is not a plausible year for a log.");
        }
    }
}
