using System.Text.Json;
using System.Text.Json.Serialization;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Reports;

namespace RelayWatch.Cli.Configuration;

/// <summary>
/// The JSON configuration file given by <c>--config</c> or <c>$RELAYWATCH_CONFIG</c>. Unknown
/// settings are refused so that a misspelt one is not silently ignored. docs/configuration.md
/// documents every setting.
/// </summary>
internal sealed class ConfigFile
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public StoreSection Store { get; set; } = new();

    /// <summary>What is ours: protected domains and internal networks (inferred from the data where absent).</summary>
    public EstateSettings Estate { get; set; } = new();

    /// <summary>The scheduler and web host of <c>relaywatch serve</c>.</summary>
    public ServeSection Serve { get; set; } = new();

    /// <summary>How <c>relaywatch ingest</c> and <c>listen</c> read logs: time zone, date order, horizon, batches.</summary>
    public IngestSection Ingest { get; set; } = new();

    /// <summary>The syslog listener of <c>relaywatch listen</c>: whom it hears, TLS, bounds.</summary>
    public ListenSection Listen { get; set; } = new();

    /// <summary>Every detector's thresholds.</summary>
    public DetectorSettings Detectors { get; set; } = new();

    /// <summary>The reputation model: its labels, training and drift checks.</summary>
    public ScoringSettings Scoring { get; set; } = new();

    /// <summary>What the blocklist lists, for how long, and what it never lists.</summary>
    public BlocklistSettings Blocklists { get; set; } = new();

    /// <summary>The daily report: how much it shows, sites, capacity, mail delivery.</summary>
    public ReportSettings Reports { get; set; } = new();

    /// <summary>Network context files (AS, owner, country of every address) for <c>relaywatch context load</c>.</summary>
    public ContextSection Context { get; set; } = new();

    /// <summary>The mailbox of our DMARC aggregate reports, for <c>relaywatch dmarc fetch</c>.</summary>
    public DmarcSection Dmarc { get; set; } = new();

    /// <summary>Reads the file, or returns an empty configuration when <paramref name="path"/> is null.</summary>
    /// <exception cref="UsageException">The file is missing or not valid; the message says where.</exception>
    public static ConfigFile Load(string? path)
    {
        if (path is null)
        {
            return new ConfigFile();
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The configuration file {path} cannot be read ({e.Message.TrimEnd('.')}).");
        }

        try
        {
            return JsonSerializer.Deserialize<ConfigFile>(text, SerializerOptions) ?? new ConfigFile();
        }
        catch (JsonException e)
        {
            throw new UsageException($"The configuration file {path} is not valid: {e.Message.TrimEnd('.')}.");
        }
    }
}
