using System.CommandLine;
using System.Globalization;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch detect</c>: runs the detectors over a day or a range of days and prints what they found.</summary>
internal static class DetectCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var day = new Option<string?>("--day") { Description = "The day to detect, YYYY-MM-DD [default: the latest day with events]", HelpName = "DATE" };
        var from = new Option<string?>("--from") { Description = "First day of a range (with --to)", HelpName = "DATE" };
        var to = new Option<string?>("--to") { Description = "Last day of a range [default: --from]", HelpName = "DATE" };
        var command = new Command("detect", $"Run the detectors ({string.Join(", ", DetectorCatalog.Names)}) and write their findings; rerunning a day replaces its findings")
        {
            day, from, to,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var config = globals.LoadConfig(parse);
                var (first, last) = (Days.Parse(parse.GetValue(from), "--from"), Days.Parse(parse.GetValue(to), "--to"));
                var single = Days.Parse(parse.GetValue(day), "--day");
                if (single is not null && (first is not null || last is not null))
                {
                    throw new UsageException("Give either --day or --from/--to, not both.");
                }

                if (first is null && last is not null)
                {
                    throw new UsageException("--to needs --from.");
                }

                if (first is not null && last < first)
                {
                    throw new UsageException("--to is before --from.");
                }

                return (Config: config, First: single ?? first, Last: single ?? last ?? first);
            },
            async (store, arguments, token) =>
            {
                var (first, last) = (arguments.First, arguments.Last);
                if (first is null)
                {
                    var latest = await Days.LatestAsync(store, token).ConfigureAwait(false);
                    if (latest is null)
                    {
                        await Console.Error.WriteLineAsync("relaywatch: The store has no events yet; ingest logs first (relaywatch ingest PATH).").ConfigureAwait(false);
                        return ExitCodes.Failed;
                    }

                    (first, last) = (latest, latest);
                }

                return await RunAsync(store, arguments.Config.Estate, arguments.Config.Detectors, first.Value, last!.Value, token).ConfigureAwait(false);
            },
            cancellationToken));
        return command;
    }

    /// <summary>Detects, then prints per-detector timings and the findings; shared with demo.</summary>
    internal static async Task<int> RunAsync(
        IClickHouseStore store, EstateSettings estate, DetectorSettings settings, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var detectors = DetectorCatalog.Create(settings);
        var runner = new DetectionRunner(store, estate, detectors, CommandRunner.Loggers.CreateLogger("detect"));
        var progress = Console.IsErrorRedirected ? null : new Progress<DetectorRun>(r =>
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  {r.Day:yyyy-MM-dd} {r.Detector}: {r.Findings} finding(s)          ")));
        IReadOnlyList<DetectorRun> runs;
        try
        {
            runs = await runner.RunAsync(first, last, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        if (progress is not null)
        {
            Console.Error.Write("\r" + new string(' ', 80) + "\r");
        }

        var ours = await EstateResolver.ResolveAsync(store, estate, last, cancellationToken).ConfigureAwait(false);
        Console.WriteLine("Ours: " + EstateText(ours));
        Console.WriteLine();
        Console.WriteLine("detector          findings   seconds");
        foreach (var group in runs.GroupBy(r => r.Detector))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key,-16} {group.Sum(r => r.Findings),9:N0} {group.Sum(r => r.Elapsed.TotalSeconds),9:F2}"));
        }

        Console.WriteLine();
        var findings = await Finding.ReadAsync(store, first, last, cancellationToken).ConfigureAwait(false);
        var query = store.Info.Engine == "embedded" ? $"relaywatch --data {store.Info.Location} query" : "relaywatch query";
        var context = await new NetworkContextStore(store).LookupAsync(findings.Select(f => f.Subject), cancellationToken).ConfigureAwait(false);
        if (context.Count == 0 && await new NetworkContextStore(store).CountAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            Console.WriteLine("Network context is off: no networks loaded (relaywatch context load, docs/operations.md).");
        }

        Console.Write(FindingsText.Format(findings, [.. detectors.Select(d => d.Name)], query, context: context));
        return ExitCodes.Ok;
    }

    internal static string EstateText(OurEstate ours) =>
        $"domains {string.Join(", ", ours.ProtectedDomains).OrNone()}{(ours.DomainsInferred ? " (inferred from inbound mail; set estate.protectedDomains to fix)" : string.Empty)}; "
        + $"mail servers {string.Join(", ", ours.MailServers).OrNone()}; relays {string.Join(", ", ours.Relays).OrNone()}";

    private static string OrNone(this string text) => text.Length == 0 ? "none seen" : text;
}
