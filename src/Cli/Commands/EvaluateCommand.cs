using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Evaluation;
using RelayWatch.Ingest;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch evaluate DIR</c>: ingests a simulation's logs, detects over its days and measures
/// the findings against its truth, per detector.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var directory = new Argument<string>("DIR") { Description = "The output of relaywatch simulate (logs/, truth.jsonl, simulation.json)" };
        var command = new Command("evaluate", "Measure the detectors against a simulation's truth: precision and recall per detector, at the level of IPs and networks")
        {
            directory,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var simulation = parse.GetValue(directory)!;
            return CommandRunner.WithStoreAsync(
                () => globals.ResolveStore(parse, dataDirectoryDefault: Path.Combine(simulation, "store")),
                storeOptions => (Config: globals.LoadConfig(parse), Window: ReadWindow(simulation), Retention: storeOptions.EventRetentionDays),
                async (store, arguments, token) =>
                {
                    var ingest = await IngestCommand.RunAsync(store, new IngestOptions { RetentionDays = arguments.Retention }, [Path.Combine(simulation, "logs")], token).ConfigureAwait(false);
                    if (ingest != ExitCodes.Ok)
                    {
                        return ingest;
                    }

                    Console.WriteLine();
                    var (first, last) = arguments.Window;
                    await DetectCommand.RunAsync(store, arguments.Config.Estate, arguments.Config.Detectors, first, last, token).ConfigureAwait(false);
                    var findings = await Finding.ReadAsync(store, first, last, token).ConfigureAwait(false);
                    var detectors = DetectorCatalog.Create(arguments.Config.Detectors).Select(d => d.Name).ToList();
                    var scores = TruthEvaluation.Evaluate(File.ReadLines(Path.Combine(simulation, "truth.jsonl")), findings, detectors);
                    Console.WriteLine();
                    Console.Write(Format(scores, findings));
                    return ExitCodes.Ok;
                },
                cancellationToken);
        });
        return command;
    }

    private static string Format(IReadOnlyList<DetectorScore> scores, IReadOnlyList<Finding> findings)
    {
        var text = new System.Text.StringBuilder("detector          expected    found  precision   recall  on typo senders\n");
        foreach (var s in scores)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{s.Detector,-16} {s.Expected.Count,9:N0} {s.Found.Count,8:N0} {s.Precision,10:F3} {s.Recall,8:F3} {s.OnTypoSenders.Count,16:N0}\n");
            foreach (var missed in s.Missed.Take(5))
            {
                text.Append(CultureInfo.InvariantCulture, $"    missed          {missed}\n");
            }

            foreach (var wrong in s.FalsePositives.Take(5))
            {
                var finding = findings.First(f => f.Detector == s.Detector && f.Subject == wrong);
                text.Append(CultureInfo.InvariantCulture, $"    false positive  {wrong}: {FindingExplainer.Explain(finding)}\n");
            }
        }

        var openRelays = findings.Where(f => f.Detector == "open_relay").ToList();
        if (openRelays.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"open relay findings rated critical: {openRelays.Count(f => f.Severity == "critical")} of {openRelays.Count}\n");
        }

        return text.ToString();
    }

    private static (DateOnly First, DateOnly Last) ReadWindow(string simulation)
    {
        var path = Path.Combine(simulation, "simulation.json");
        if (!File.Exists(path) || !File.Exists(Path.Combine(simulation, "truth.jsonl")))
        {
            throw new UsageException($"{simulation} is not the output of relaywatch simulate (it needs simulation.json and truth.jsonl).");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var start = DateOnly.ParseExact(document.RootElement.GetProperty("start").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var days = document.RootElement.GetProperty("days").GetInt32();
            return (start, start.AddDays(Math.Max(1, days) - 1));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UsageException($"{path} is not a simulation description ({e.Message.TrimEnd('.')}).");
        }
    }
}
