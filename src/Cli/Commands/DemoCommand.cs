using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RelayWatch.Cli.Configuration;
using RelayWatch.Cli.Output;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Dmarc;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Reports;
using RelayWatch.Simulation;
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
        var simulate = new Option<int?>("--simulate")
        {
            Description = "Simulate a fresh day (yesterday, UTC) with this seed and run on it instead of data/samples",
            HelpName = "SEED",
        };
        var scale = new Option<double>("--scale")
        {
            Description = "Traffic volume of the day --simulate makes; at 1 a day is about a million log lines",
            HelpName = "X",
            DefaultValueFactory = _ => 0.01,
        };
        var command = new Command("demo", "Run RelayWatch end to end on the embedded engine and show what it produced") { output, samples, simulate, scale };
        command.SetAction((parse, cancellationToken) =>
        {
            var outputDirectory = Path.GetFullPath(parse.GetValue(output)!);
            var stopwatch = Stopwatch.StartNew();
            return CommandRunner.WithStoreAsync(
                () => globals.ResolveStore(parse, dataDirectoryDefault: Path.Combine(outputDirectory, "data")),
                options => (Store: options, Config: globals.LoadConfig(parse), Fresh: FreshDay(parse.GetValue(simulate), parse.GetValue(scale), outputDirectory)),
                (store, arguments, token) => RunAsync(
                    store, arguments.Store, arguments.Config, arguments.Fresh is { } fresh ? Simulate(fresh, token) : parse.GetValue(samples) ?? FindSamples(), outputDirectory, stopwatch, token),
                cancellationToken);
        });
        return command;
    }

    /// <summary>What <c>--simulate</c> asks for, checked before anything starts; null without it.</summary>
    private static SimulationOptions? FreshDay(int? seed, double scale, string outputDirectory)
    {
        if (seed is not { } chosen)
        {
            return null;
        }

        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        // Named by what it holds, so a second run with the same seed reuses it and ingest finds nothing new.
        var folder = Path.Combine(outputDirectory, string.Create(CultureInfo.InvariantCulture, $"simulated-{day:yyyy-MM-dd}-seed{chosen}-scale{scale}"));
        var options = new SimulationOptions { Days = 1, Start = day, Seed = chosen, Scale = scale, Output = Path.Combine(folder, "simulated") };
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

    /// <summary>Writes the fresh day (unless an earlier run did) where the demo looks for samples: FOLDER/simulated.</summary>
    private static string Simulate(SimulationOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(options.Output, "simulation.json")))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Simulating {Days.Text(options.Start)} with seed {options.Seed} at scale {options.Scale} (relaywatch simulate) into {options.Output}."));
            new Simulator(options).Run(cancellationToken);
        }

        return Path.GetDirectoryName(options.Output)!;
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
                .Where(f => Path.GetExtension(f) is not (".json" or ".jsonl" or ".md") && !IsSimulationExtra(samples, f))
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

            // A simulation beside the logs also brings who is behind its addresses, other receivers' DMARC reports
            // about its domain, and its relays' public addresses (what its operator configures).
            var simulated = Path.Combine(samples!, "simulated");
            config = SimulationExtras.WithRelayAddresses(config, simulated);
            if (await SimulationExtras.LoadContextAsync(store, simulated, cancellationToken).ConfigureAwait(false) is { } networks)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   Network context: {networks:N0} networks from {Path.Combine(simulated, Simulator.ContextFile)} (relaywatch context load --csv): findings say who is behind each address."));
            }

            if (await SimulationExtras.LoadDmarcAsync(store, simulated, cancellationToken).ConfigureAwait(false) is { } dmarc)
            {
                Console.WriteLine($"   {SimulationExtras.Describe(dmarc, simulated)} (relaywatch dmarc load).");
            }

            Console.WriteLine();
            Console.WriteLine("3. What the relays saw, by event:");
            await PrintAsync(store, "SELECT event, count() AS events, uniqExact(client_ip) AS clients FROM smtp_events GROUP BY event ORDER BY events DESC", cancellationToken).ConfigureAwait(false);
            Console.WriteLine("4. Detection over every day the samples cover (relaywatch detect):");
            Console.WriteLine();
            var days = await store.QueryListAsync("SELECT toString(min(toDate(ts))), toString(max(toDate(ts))) FROM smtp_events", null, cancellationToken).ConfigureAwait(false);
            var (first, last) = (DateOnly.Parse(days[0][0], CultureInfo.InvariantCulture), DateOnly.Parse(days[0][1], CultureInfo.InvariantCulture));
            await DetectCommand.RunAsync(store, config.Estate, config.Detectors, first, last, cancellationToken).ConfigureAwait(false);
            Console.WriteLine();
            var scored = await ScoreWithHistoryAsync(store, options, config, samples!, outputDirectory, cancellationToken).ConfigureAwait(false);
            var reported = scored ?? last;
            Console.WriteLine();
            Console.WriteLine($"9. The daily report for {Days.Text(reported)} (relaywatch report):");
            await ReportCommand.RunAsync(store, config, reported, Path.Combine(outputDirectory, "reports"), ReportWriter.Formats, cancellationToken).ConfigureAwait(false);
            var view = new DmarcView(store);
            if (await view.LatestDayAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                Console.WriteLine();
                Console.WriteLine($"10. Our domains as others see them on {Days.Text(reported)}: the DMARC reports joined with the relays' logs (relaywatch dmarc show; the report's section 7):");
                var ours = await EstateResolver.ResolveAsync(store, config.Estate, reported, cancellationToken).ConfigureAwait(false);
                DmarcCommand.Print(await view.ReadAsync(reported, ours, cancellationToken).ConfigureAwait(false), ours);
            }
        }

        Console.WriteLine();
        Console.Write((await StoreStatus.ReadAsync(store, cancellationToken).ConfigureAwait(false)).ToText());
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {stopwatch.Elapsed.TotalSeconds:F1} s. Outputs are under {outputDirectory}."));
        Console.WriteLine($"Explore the store:  dotnet run --project src/Cli -- --data {store.Info.Location} query \"SELECT * FROM smtp_events WHERE event = 'rcpt_reject' LIMIT 10\" --format table");
        // A ClickHouse server is reached with this run's own store options, which serve reads the same way.
        var serve = store.Info.Engine == "embedded" ? $"--data {store.Info.Location} serve" : "serve (with this run's store options)";
        Console.WriteLine($"Open the console:   dotnet run --project src/Cli -- {serve}   then {ServeCommand.DefaultUrls}/ in a browser (this machine only, no login until users exist)");
        return ExitCodes.Ok;
    }

    /// <summary>Days of simulated history the demo's reputation model learns from.</summary>
    private const int HistoryDays = 7;

    /// <summary>
    /// The reputation model needs history: the demo simulates the week before the sample day with the
    /// sample's own seed and scale (the same estate and senders), ingests and detects it, trains on it
    /// and scores the sample day — a day the model never learnt from.
    /// </summary>
    /// <returns>The sample day it scored, or null when there was no simulated sample.</returns>
    private static async Task<DateOnly?> ScoreWithHistoryAsync(
        IClickHouseStore store, StoreOptions options, ConfigFile config, string samples, string outputDirectory, CancellationToken cancellationToken)
    {
        var description = Path.Combine(samples, "simulated", "simulation.json");
        if (!File.Exists(description))
        {
            Console.WriteLine($"5. No simulated sample ({description}) to take a seed from; the reputation model is not trained.");
            return null;
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(description, cancellationToken).ConfigureAwait(false));
        var (seed, scale) = (json.RootElement.GetProperty("seed").GetInt32(), json.RootElement.GetProperty("scale").GetDouble());
        var day = DateOnly.ParseExact(json.RootElement.GetProperty("start").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            .AddDays(json.RootElement.GetProperty("days").GetInt32() - 1);
        var (first, last) = (day.AddDays(-HistoryDays), day.AddDays(-1));
        var history = Path.Combine(outputDirectory, "history");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"5. The reputation model learns from history: the {HistoryDays} days before {Days.Text(day)}, simulated with the sample's seed {seed} and scale {scale} (relaywatch simulate), ingested and detected:"));
        if (!Directory.Exists(history))
        {
            new Simulator(new SimulationOptions { Days = HistoryDays, Start = first, Seed = seed, Scale = scale, Output = history }).Run(cancellationToken);
        }

        var ingested = await new IngestRunner(store, new IngestOptions { RetentionDays = options.EventRetentionDays }, TimeProvider.System, CommandRunner.Loggers.CreateLogger("ingest"))
            .IngestAsync([Path.Combine(history, Simulator.LogsFolder)], cancellationToken).ConfigureAwait(false);
        await SimulationExtras.LoadDmarcAsync(store, history, cancellationToken).ConfigureAwait(false);
        var runs = await new DetectionRunner(store, config.Estate, DetectorCatalog.Create(config.Detectors), CommandRunner.Loggers.CreateLogger("detect"))
            .RunAsync(first, last, null, cancellationToken).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {ingested.Sum(f => f.Counts.Events):N0} new lines with events from {history}; {runs.Sum(r => r.Findings):N0} findings over {Days.Text(first)} to {Days.Text(last)}."));
        Console.WriteLine();
        Console.WriteLine("6. Training (relaywatch train):");
        var model = await TrainCommand.RunAsync(store, config, first, last, cancellationToken).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine($"7. Scoring every sender of {Days.Text(day)} (relaywatch score), the worst first:");
        await ScoreCommand.RunAsync(store, config, day, model.Version, top: 10, cancellationToken).ConfigureAwait(false);
        Console.WriteLine();
        await PublishBlocklistsAsync(store, config, day, outputDirectory, cancellationToken).ConfigureAwait(false);
        return day;
    }

    /// <summary>The blocklist from the day's findings and scores, written in every relay's format.</summary>
    private static async Task PublishBlocklistsAsync(IClickHouseStore store, ConfigFile config, DateOnly day, string outputDirectory, CancellationToken cancellationToken)
    {
        Console.WriteLine($"8. The blocklist from {Days.Text(day)} (relaywatch blocklist update, then export):");
        await BlocklistCommand.RunUpdateAsync(store, config, day, cancellationToken).ConfigureAwait(false);
        var folder = Path.Combine(outputDirectory, "blocklists");
        Directory.CreateDirectory(folder);
        var now = DateTime.UtcNow;
        var published = await BlocklistExport.PublishedAsync(store, config.Blocklists, config.Estate, now, cancellationToken).ConfigureAwait(false);
        foreach (var format in BlocklistFormats.All)
        {
            var path = Path.Combine(folder, format.Name);
            await BlocklistExport.WriteAsync(format, published, path, now, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {path}  ({published.Count} entries; {format.Use})"));
        }
    }

    /// <summary>
    /// A file of a simulation that is not a log: its DMARC reports (<see cref="Simulator.DmarcFolder"/>, loaded with
    /// <c>dmarc load</c>) and its context CSV (<see cref="Simulator.ContextFile"/>, loaded with <c>context load</c>).
    /// </summary>
    private static bool IsSimulationExtra(string samples, string file)
    {
        var parts = Path.GetRelativePath(samples, file).Split(Path.DirectorySeparatorChar);
        return parts.Contains(Simulator.DmarcFolder, StringComparer.Ordinal) || parts[^1] == Simulator.ContextFile;
    }

    /// <summary>Prints a query's table through the console's terminal-safe writer: the cells hold log text.</summary>
    private static async Task PrintAsync(IClickHouseStore store, string sql, CancellationToken cancellationToken)
    {
        using var table = new MemoryStream();
        await store.QueryAsync(sql, "PrettyCompactMonoBlock", table, null, cancellationToken).ConfigureAwait(false);
        await Console.Out.WriteAsync(System.Text.Encoding.UTF8.GetString(table.GetBuffer(), 0, (int)table.Length)).ConfigureAwait(false);
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
