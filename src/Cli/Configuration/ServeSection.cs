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

    /// <summary>The console's users and relay tokens (JSON, managed by <c>relaywatch serve user|token</c>) [default: serve-users.json beside the job database].</summary>
    public string? UsersFile { get; set; }

    /// <summary>The HTTPS certificate for <c>https://</c> URLs, PEM or PKCS#12 [default: none].</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The PEM key of the HTTPS certificate when it is in a file of its own.</summary>
    public string? TlsKey { get; set; }

    /// <summary>Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For/-Proto are believed [default: none]; with any, loopback is no longer trusted.</summary>
    public IReadOnlyList<string>? TrustedProxies { get; set; }

    /// <summary>Log files serve follows as <c>ingest --follow</c> does, each in a task of its own [default: none]; <c>--follow</c> replaces the list.</summary>
    public IReadOnlyList<string>? Follow { get; set; }

    /// <summary>Host names the console answers to (Host header) [default: localhost, 127.0.0.1 and [::1] on loopback, else the host of each URL].</summary>
    public IReadOnlyList<string>? AllowedHosts { get; set; }
}
