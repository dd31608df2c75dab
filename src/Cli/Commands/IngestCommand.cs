using System.CommandLine;
using System.Globalization;
using RelayWatch.Cli.Configuration;
using RelayWatch.Cli.Output;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Embedded;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch ingest PATH…|-</c>: reads relay logs into the store, exactly once.</summary>
internal static class IngestCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Log files, directories (read recursively, rotated sets oldest first), globs, or - for standard input; .gz is read as such",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string?>("--format")
        {
            Description = $"The log format of every file ({string.Join(", ", LogFormats.Names)}) [default: detected per file from its first lines]",
            HelpName = "FORMAT",
        };
        var relay = new Option<string?>("--relay") { Description = "The relay's name for every event [default: the host name each line was logged by]", HelpName = "NAME" };
        var year = new Option<int?>("--year") { Description = "Year of timestamps that have none (RFC 3164) [default: the file's last-write year, December lines read in January going to the year before]", HelpName = "YEAR" };
        var dateOrder = new Option<string?>("--date-order")
        {
            Description = "Order of numeric dates that read either way, as in Domino's console log: dmy, mdy or ymd [config: ingest.dateOrder; default: detected per file from its first lines; else dotted dates day-first, others month-first]",
            HelpName = "ORDER",
        };
        var horizon = new Option<double?>("--horizon")
        {
            Description = "Hours a session's or message's correlation state may sit idle before it is dropped [config: ingest.horizonHours; default: 120 for Postfix (its queue lifetime), 168 for the others, 24 for Exchange's protocol sessions]",
            HelpName = "HOURS",
        };
        var zone = new Option<string?>("--tz") { Description = "Time zone of timestamps without an offset, e.g. Europe/Berlin [config: ingest.timeZone; default: UTC]", HelpName = "ZONE" };
        var batchLines = new Option<int?>("--batch-lines")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"Lines per batch: each batch is one insert and one checkpoint [config: ingest.batchLines; default: {new IngestOptions().BatchLines}]"),
            HelpName = "N",
        };
        var inFlight = new Option<int?>("--inserts-in-flight")
        {
            Description = $"Batches inserted at once (1 to {IngestOptions.MaxInsertsInFlight}); a crash re-sends every one that was in flight [config: ingest.insertsInFlight; default: {new IngestOptions().InsertsInFlight}]",
            HelpName = "N",
        };
        var follow = new Option<bool>("--follow", "-F")
        {
            Description = "Keep reading one file as it grows, like tail -F (survives rotation and truncation); Ctrl+C stops after committing what was read",
        };
        var command = new Command("ingest", "Read relay logs into the store; re-reading a file adds only what is new") { paths, format, relay, year, dateOrder, zone, horizon, batchLines, inFlight, follow };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            storeOptions =>
            {
                var section = globals.LoadConfig(parse).Ingest;
                var options = new IngestOptions
                {
                    RetentionDays = storeOptions.EventRetentionDays,
                    Format = ParseFormat(parse.GetValue(format)),
                    Relay = parse.GetValue(relay),
                    Year = parse.GetValue(year),
                    DateOrder = ParseDateOrder(parse.GetValue(dateOrder) ?? section.DateOrder),
                    CorrelationHorizon = Horizon(parse.GetValue(horizon), section),
                    TimeZone = ParseZone(parse.GetValue(zone) ?? section.TimeZone),
                    BatchLines = BatchLines(parse.GetValue(batchLines), section),
                    InsertsInFlight = InsertsInFlight(parse.GetValue(inFlight), section),
                };
                var targets = parse.GetValue(paths)!;
                var following = parse.GetValue(follow);
                if (following && (targets.Length != 1 || targets[0] == "-" || Directory.Exists(targets[0])))
                {
                    throw new UsageException("--follow reads exactly one file; run one ingest --follow per file.");
                }

                // Reported before the engine starts; the runner still copes with a file that vanishes later.
                var missing = targets.FirstOrDefault(t => t != "-" && t.AsSpan().IndexOfAny('*', '?') < 0 && !File.Exists(t) && !Directory.Exists(t));
                return missing is null ? (options, targets, following) : throw new UsageException($"{missing} does not exist.");
            },
            (store, arguments, token) => arguments.following
                ? FollowAsync(store, arguments.options, arguments.targets[0], token)
                : RunAsync(store, arguments.options, arguments.targets, token),
            cancellationToken));
        return command;
    }

    /// <summary>Ingests and prints the per-file summary; exit 1 when a file could not be read.</summary>
    internal static async Task<int> RunAsync(IClickHouseStore store, IngestOptions options, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        IngestRunner runner;
        try
        {
            runner = new IngestRunner(store, options, TimeProvider.System, CommandRunner.Loggers.CreateLogger("ingest"))
            {
                Progress = Console.IsErrorRedirected ? null : new Progress<IngestProgress>(ShowProgress),
            };
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        List<FileSummary> summaries;
        try
        {
            var files = paths.Where(p => p != "-").ToList();
            summaries = files.Count > 0 ? [.. await runner.IngestAsync(files, cancellationToken).ConfigureAwait(false)] : [];
            if (paths.Contains("-"))
            {
                summaries.Add(await runner.IngestStreamAsync(StandardInput.Open(), "-", cancellationToken).ConfigureAwait(false));
            }
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException(e.Message);
        }

        if (!Console.IsErrorRedirected)
        {
            Console.Error.Write("\r" + new string(' ', 100) + "\r");
        }

        Console.Write(IngestReport.Format(summaries, stopwatch.Elapsed));
        foreach (var problem in summaries.Where(s => s.Problem is not null))
        {
            await Console.Error.WriteLineAsync($"relaywatch: {char.ToUpperInvariant(problem.Problem![0])}{problem.Problem[1..]}.").ConfigureAwait(false);
        }

        return summaries.Any(s => s.Problem is not null) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static async Task<int> FollowAsync(IClickHouseStore store, IngestOptions options, string path, CancellationToken cancellationToken)
    {
        var runner = new IngestRunner(store, options, TimeProvider.System, CommandRunner.Loggers.CreateLogger("ingest"))
        {
            Progress = Console.IsErrorRedirected ? null : new Progress<IngestProgress>(p =>
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  following {p.CurrentFile}: {p.Lines:N0} lines, {p.Unrecognised:N0} unrecognised   "))),
        };
        await Console.Error.WriteLineAsync($"Following {path}; Ctrl+C stops.").ConfigureAwait(false);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<FileSummary> summaries;
        try
        {
            summaries = await runner.FollowAsync(path, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(char.ToUpperInvariant(e.Message[0]) + e.Message[1..] + ".");
        }

        if (!Console.IsErrorRedirected)
        {
            Console.Error.Write("\r" + new string(' ', 100) + "\r");
        }

        Console.Write(IngestReport.Format(summaries, stopwatch.Elapsed));
        return ExitCodes.Ok;
    }

    private static void ShowProgress(IngestProgress progress)
    {
        var rate = progress.Elapsed.TotalSeconds > 0 ? progress.Lines / progress.Elapsed.TotalSeconds : 0;
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r  {progress.FilesDone}/{progress.Files} files, {progress.Lines:N0} lines ({rate:N0} lines/s), {progress.Unrecognised:N0} unrecognised   "));
    }

    /// <summary>The option's value, else the configuration's, each held to its range; null when neither is given.</summary>
    /// <summary><c>--batch-lines</c>, else <c>ingest.batchLines</c>, else the default; out of range is bad usage.</summary>
    internal static int BatchLines(int? option, IngestSection section) =>
        Setting(option, "--batch-lines", section.BatchLines, "ingest.batchLines", 1, int.MaxValue) ?? new IngestOptions().BatchLines;

    /// <summary><c>--inserts-in-flight</c>, else <c>ingest.insertsInFlight</c>, else the default; out of range is bad usage.</summary>
    internal static int InsertsInFlight(int? option, IngestSection section) =>
        Setting(option, "--inserts-in-flight", section.InsertsInFlight, "ingest.insertsInFlight", 1, IngestOptions.MaxInsertsInFlight) ?? new IngestOptions().InsertsInFlight;

    private static int? Setting(int? option, string optionName, int? configured, string settingName, int min, int max) =>
        (option, configured) switch
        {
            ({ } n, _) when n < min || n > max => throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{optionName} {n} is not between {min:N0} and {max:N0}.")),
            ({ } n, _) => n,
            (null, { } n) when n < min || n > max => throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"The setting {settingName} ({n}) is not between {min:N0} and {max:N0}.")),
            (null, var n) => n,
        };

    /// <summary><c>--horizon</c>, else <c>ingest.horizonHours</c>: hours between 0 and a year, or null for the format's own.</summary>
    internal static TimeSpan? Horizon(double? option, IngestSection section)
    {
        var (hours, name) = option is { } given ? (given, "--horizon") : section.HorizonHours is { } configured ? (configured, "The setting ingest.horizonHours") : (0, null);
        return name is null ? null
            : hours > 0 && hours <= 24 * 366 ? TimeSpan.FromHours(hours)
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{name} {hours} is not a number of hours between 0 and a year."));
    }

    private static LogFormat? ParseFormat(string? name) =>
        name is null ? null : LogFormats.Parse(name) ?? throw new UsageException($"'{name}' is not a log format RelayWatch reads; use one of {string.Join(", ", LogFormats.Names)}.");

    internal static DateOrder? ParseDateOrder(string? name) => name?.ToLowerInvariant() switch
    {
        null => null,
        "dmy" => DateOrder.DayMonthYear,
        "mdy" => DateOrder.MonthDayYear,
        "ymd" => DateOrder.YearMonthDay,
        _ => throw new UsageException($"'{name}' is not a date order; use dmy, mdy or ymd."),
    };

    internal static TimeZoneInfo ParseZone(string? name)
    {
        if (name is null)
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new UsageException($"'{name}' is not a time zone this machine knows; use an IANA name such as Europe/Berlin.");
        }
    }
}
