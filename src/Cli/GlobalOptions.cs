using System.CommandLine;
using RelayWatch.Cli.Configuration;
using RelayWatch.Store;

namespace RelayWatch.Cli;

/// <summary>
/// Options every command takes, and how they combine with the environment and the configuration
/// file. Precedence, highest first: command line, environment, configuration file, built-in default.
/// </summary>
internal sealed class GlobalOptions
{
    public const string DataVariable = "RELAYWATCH_DATA";
    public const string ClickHouseVariable = "RELAYWATCH_CLICKHOUSE";
    public const string ConfigVariable = "RELAYWATCH_CONFIG";
    public const string ClickHousePasswordVariable = "RELAYWATCH_CLICKHOUSE_PASSWORD";
    public const string ClickHousePasswordFileVariable = "RELAYWATCH_CLICKHOUSE_PASSWORD_FILE";

    public Option<string?> Data { get; } = new("--data")
    {
        Description = $"Data directory of the embedded engine [env: {DataVariable}; default: ~/.local/share/relaywatch]",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<string?> ClickHouse { get; } = new("--clickhouse")
    {
        Description = $"Use a ClickHouse server instead of the embedded engine, e.g. \"Host=ch1;Port=8123;Username=relaywatch\" with the password from --clickhouse-password-file [env: {ClickHouseVariable}]",
        HelpName = "CONNSTR",
        Recursive = true,
    };

    public Option<string?> ClickHousePasswordFile { get; } = new("--clickhouse-password-file")
    {
        Description = $"Read the ClickHouse server's password from this file (first line), so it is not on the command line [env: {ClickHousePasswordFileVariable}, or the password itself in {ClickHousePasswordVariable}]",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<bool> TrustLibrary { get; } = new("--trust-library")
    {
        Description = "Load the libchdb.so named by RELAYWATCH_CHDB_LIB even though its SHA-256 is not the pinned engine's (a build you vouch for)",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = $"JSON configuration file (see docs/configuration.md) [env: {ConfigVariable}]",
        HelpName = "FILE",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Data);
        root.Add(ClickHouse);
        root.Add(ClickHousePasswordFile);
        root.Add(TrustLibrary);
        root.Add(Config);
    }

    /// <summary>The configuration file these settings name (empty when none).</summary>
    public ConfigFile LoadConfig(ParseResult parse) => ConfigFile.Load(parse.GetValue(Config) ?? Environment(ConfigVariable));

    /// <summary>The store options these settings describe.</summary>
    /// <param name="dataDirectoryDefault">A command's own default data directory (demo keeps its data apart).</param>
    public StoreOptions ResolveStore(ParseResult parse, string? dataDirectoryDefault = null)
    {
        var file = LoadConfig(parse);
        var options = new StoreOptions();
        if (dataDirectoryDefault is not null)
        {
            options.DataDirectory = dataDirectoryDefault;
        }

        var section = file.Store;
        options.DataDirectory = section.DataDirectory ?? options.DataDirectory;
        options.ConnectionString = section.ClickHouse;
        options.Database = section.Database ?? options.Database;
        options.EventRetentionDays = section.EventRetentionDays ?? options.EventRetentionDays;
        options.FindingRetentionDays = section.FindingRetentionDays ?? options.FindingRetentionDays;
        options.MaxConnections = section.MaxConnections ?? options.MaxConnections;
        options.Cluster = section.Cluster;

        options.DataDirectory = Environment(DataVariable) ?? options.DataDirectory;
        options.ConnectionString = Environment(ClickHouseVariable) ?? options.ConnectionString;

        options.DataDirectory = parse.GetValue(Data) ?? options.DataDirectory;
        options.ConnectionString = parse.GetValue(ClickHouse) ?? options.ConnectionString;
        options.Password = ResolvePassword(parse, section.ClickHousePasswordFile);
        options.TrustEngineLibrary = parse.GetValue(TrustLibrary);

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        return options;
    }

    /// <summary>
    /// The server password kept apart from the connection string: a file named on the command line, in the
    /// environment or in the configuration (in that order), else the password itself in the environment.
    /// </summary>
    private string? ResolvePassword(ParseResult parse, string? configuredFile)
    {
        var file = parse.GetValue(ClickHousePasswordFile) ?? Environment(ClickHousePasswordFileVariable) ?? configuredFile;
        if (file is null)
        {
            return Environment(ClickHousePasswordVariable);
        }

        try
        {
            using var reader = new StreamReader(file);
            return reader.ReadLine() ?? string.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The ClickHouse password file {file} could not be read ({e.Message.TrimEnd('.')}).");
        }
    }

    private static string? Environment(string name)
    {
        var value = System.Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
