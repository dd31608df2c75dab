namespace RelayWatch.Cli.Configuration;

/// <summary>The <c>serve</c> section of the configuration file.</summary>
internal sealed class ServeSection
{
    /// <summary>Where serve listens [default: http://127.0.0.1:5080].</summary>
    public string? Urls { get; set; }

    /// <summary>The Hangfire job database (SQLite file) [default: hangfire.sqlite in the data directory].</summary>
    public string? JobStorage { get; set; }

    /// <summary>Hangfire workers, that is jobs that may run at once [default: 2].</summary>
    public int? Workers { get; set; }
}
