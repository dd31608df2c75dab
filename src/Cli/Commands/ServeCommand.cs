using System.CommandLine;
using RelayWatch.Analysis.Jobs;
using RelayWatch.Cli.Serve;
using RelayWatch.Reports.Jobs;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch serve</c>: the scheduler (Hangfire) and its dashboard, until stopped.</summary>
internal static class ServeCommand
{
    private const string DefaultUrls = "http://127.0.0.1:5080";

    public static Command Create(GlobalOptions globals)
    {
        var urls = new Option<string?>("--urls") { Description = $"Where to listen [default: {DefaultUrls}]; other machines also need $RELAYWATCH_SERVE_CREDENTIALS", HelpName = "URLS" };
        var jobs = new Option<string?>("--jobs")
        {
            Description = "The job database: a SQLite file, or a PostgreSQL connection string (Host=…;Database=…;Username=…) that several serve processes share as one queue [default: hangfire.sqlite in the data directory]",
            HelpName = "FILE|CONNECTION",
        };
        var command = new Command("serve", "Run the schedule (detection, scoring, blocklist, daily report) with its Hangfire dashboard, JSON API, blocklists and reports until stopped")
        {
            urls,
            jobs,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            storeOptions =>
            {
                var config = globals.LoadConfig(parse);
                var jobStore = JobStore.Parse(
                    parse.GetValue(jobs) ?? config.Serve.JobStorage
                        ?? Path.Combine(storeOptions.ConnectionString is null ? storeOptions.DataDirectory : StoreDefaults(), "hangfire.sqlite"),
                    config.Serve.JobInvisibilitySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
                // Reports go beside a SQLite job file, or into the data directory.
                var home = jobStore is JobStore.SqliteFile file
                    ? Path.GetDirectoryName(file.Path)!
                    : storeOptions.ConnectionString is null ? storeOptions.DataDirectory : StoreDefaults();
                var workers = config.Serve.Workers ?? 2;
                if (workers < 1)
                {
                    throw new UsageException("serve.workers must be at least 1.");
                }

                try
                {
                    config.Reports.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                Directory.CreateDirectory(home);
                return new ServeOptions(
                    parse.GetValue(urls) ?? config.Serve.Urls ?? DefaultUrls,
                    jobStore,
                    workers,
                    new DetectionSettings(config.Estate, config.Detectors),
                    new ScoringJobSettings(config.Estate, config.Scoring),
                    new BlocklistJobSettings(config.Estate, config.Blocklists),
                    new ReportJobSettings(config.Estate, config.Reports, Path.GetFullPath(config.Reports.Folder ?? Path.Combine(home, "reports"))),
                    new AccessPolicy(Environment.GetEnvironmentVariable(AccessPolicy.CredentialsVariable)));
            },
            async (store, options, token) =>
            {
                try
                {
                    await ServeHost.RunAsync(store, options, token).ConfigureAwait(false);
                }
                catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UsageException($"Cannot listen on {options.Urls}: {e.Message.TrimEnd('.')}.");
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static string StoreDefaults() => new Store.StoreOptions().DataDirectory;
}
