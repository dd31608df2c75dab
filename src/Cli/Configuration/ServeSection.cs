namespace RelayWatch.Cli.Configuration;

/// <summary>The <c>serve</c> section of the configuration file.</summary>
internal sealed class ServeSection
{
    /// <summary>Where serve listens [default: http://127.0.0.1:5080].</summary>
    public string? Urls { get; set; }

    /// <summary>
    /// The Hangfire job database: a SQLite file, or a PostgreSQL connection string that several serve
    /// processes share as one queue [default: hangfire.sqlite in the data directory].
    /// </summary>
    public string? JobStorage { get; set; }

    /// <summary>
    /// With PostgreSQL, seconds after which the job of a worker that stopped renewing it (it died) is
    /// run by another [default: 300].
    /// </summary>
    public int? JobInvisibilitySeconds { get; set; }

    /// <summary>Hangfire workers, that is jobs that may run at once [default: 2].</summary>
    public int? Workers { get; set; }
}
