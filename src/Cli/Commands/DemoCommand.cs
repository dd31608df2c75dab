using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RelayWatch.Cli.Configuration;
using RelayWatch.Cli.Output;
using RelayWatch.Ingest;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch demo</c>: the product's main job, end to end, on the embedded engine in a folder
/// of its own, so that it never touches a real store. Each capability the product gains extends it.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultOutput = "relaywatch-demo";

    public static Command Create(GlobalOptions globals)
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the demo's store and outputs",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var samples = new Option<string?>("--samples")
        {
            Description = "Folder of sample logs to ingest [default: data/samples of this repository]",
            HelpName = "DIR",
        };
        var command = new Command("demo", "Run RelayWatch end to end on the embedded engine and show what it produced") { output, samples };
        command.SetAction((parse, cancellationToken) =>
        {
            var outputDirectory = Path.GetFullPath(parse.GetValue(output)!);
            var stopwatch = Stopwatch.StartNew();
            return CommandRunner.WithStoreAsync(
                () => globals.ResolveStore(parse, dataDirectoryDefault: Path.Combine(outputDirectory, "data")),
                options => (Store: options, Config: globals.LoadConfig(parse)),
                (store, arguments, token) => RunAsync(store, arguments.Store, arguments.Config, parse.GetValue(samples) ?? FindSamples(), outputDirectory, stopwatch, token),
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        IClickHouseStore store, StoreOptions options, ConfigFile config, string? samples, string outputDirectory, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var status = await StoreStatus.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var where = store.Info.Engine == "embedded" ? $"embedded engine, data in {store.Info.Location}" : $"server {store.Info.Location}";
        Console.WriteLine($"RelayWatch demo — {where}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1. Store ready: ClickHouse {status.EngineVersion}, database {status.Database} at schema version {status.SchemaVersion}."));

        var logs = samples is null || !Directory.Exists(samples)
            ? []
            : Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetExtension(f) is not (".json" or ".jsonl" or ".md"))
                .Order(StringComparer.Ordinal)
                .ToList();
        if (logs.Count == 0)
        {
            Console.WriteLine("2. No sample logs found (pass --samples DIR); nothing ingested.");
        }
        else
        {
            Console.WriteLine($"2. Ingesting the sample logs in {samples} (a second run adds nothing: ingest is exactly-once):");
            Console.WriteLine();
            var exit = await IngestCommand.RunAsync(store, new IngestOptions { RetentionDays = options.EventRetentionDays }, logs, cancellationToken).ConfigureAwait(false);
            if (exit != ExitCodes.Ok)
            {
                return exit;
            }

            Console.WriteLine();
            Console.WriteLine("3. What the relays saw, by event:");
            await PrintAsync(store, "SELECT event, count() AS events, uniqExact(client_ip) AS clients FROM smtp_events GROUP BY event ORDER BY events DESC", cancellationToken).ConfigureAwait(false);
            Console.WriteLine("4. Detection over every day the samples cover (relaywatch detect):");
            Console.WriteLine();
            var days = await store.QueryListAsync("SELECT toString(min(toDate(ts))), toString(max(toDate(ts))) FROM smtp_events", null, cancellationToken).ConfigureAwait(false);
            var (first, last) = (DateOnly.Parse(days[0][0], CultureInfo.InvariantCulture), DateOnly.Parse(days[0][1], CultureInfo.InvariantCulture));
            await DetectCommand.RunAsync(store, config.Estate, config.Detectors, first, last, cancellationToken).ConfigureAwait(false);
        }

        Console.WriteLine();
        Console.Write((await StoreStatus.ReadAsync(store, cancellationToken).ConfigureAwait(false)).ToText());
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {stopwatch.Elapsed.TotalSeconds:F1} s. Outputs are under {outputDirectory}."));
        Console.WriteLine($"Explore the store:  dotnet run --project src/Cli -- --data {store.Info.Location} query \"SELECT * FROM smtp_events WHERE event = 'rcpt_reject' LIMIT 10\" --format table");
        return ExitCodes.Ok;
    }

    private static async Task PrintAsync(IClickHouseStore store, string sql, CancellationToken cancellationToken)
    {
        var output = Console.OpenStandardOutput();
        await using (output.ConfigureAwait(false))
        {
            await store.QueryAsync(sql, "PrettyCompactMonoBlock", output, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>data/samples of the repository: from the working directory, else from where the program lives.</summary>
    private static string? FindSamples()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "data", "samples");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
