using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Evaluation;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Simulation;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch evaluate DIR</c>: ingests a simulation's logs, detects over its days and measures
/// the findings against its truth, per detector; then trains the reputation model on the earlier days,
/// scores the later ones and measures the scores, next to the best single-feature rule. Exits 1 when a
/// measure falls below a threshold given on the command line.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var directory = new Argument<string>("DIR") { Description = "The output of relaywatch simulate (logs/, truth.jsonl, simulation.json)" };
        var trainDays = new Option<int?>("--train-days") { Description = "Days the model learns from, from the first [default: all but the last quarter; the model step needs 3 days or more]", HelpName = "N" };
        var minPrecision = new Option<double>("--min-precision") { Description = "Exit 1 when a detector's precision is lower", HelpName = "P", DefaultValueFactory = _ => 0 };
        var minRecall = new Option<double>("--min-recall") { Description = "Exit 1 when a detector's recall is lower", HelpName = "R", DefaultValueFactory = _ => 0 };
        var minAuc = new Option<double>("--min-auc") { Description = "Exit 1 when the model's ROC AUC over all attackers is lower", HelpName = "A", DefaultValueFactory = _ => 0 };
        var minModelRecall = new Option<double>("--min-model-recall") { Description = "Exit 1 when the model's recall at 0.1% false positives is lower", HelpName = "R", DefaultValueFactory = _ => 0 };
        var vendor = new Option<string?>("--vendor")
        {
            Description = "Measure on one vendor's relay logs alone: the other relays' events are dropped after ingest, and the truth is cut to what this vendor's relays saw",
            HelpName = "postfix|exim|sendmail|domino|esa|exchange",
        };
        vendor.AcceptOnlyFromAmong("postfix", "exim", "sendmail", "domino", "esa", "ironport", "exchange");
        var command = new Command("evaluate", "Measure the detectors and the IP reputation model against a simulation's truth: precision and recall per detector, ROC AUC and recall at low false-positive rates for the model")
        {
            directory, trainDays, minPrecision, minRecall, minAuc, minModelRecall, vendor,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var simulation = parse.GetValue(directory)!;
            return CommandRunner.WithStoreAsync(
                () => globals.ResolveStore(parse, dataDirectoryDefault: Path.Combine(simulation, "store")),
                storeOptions =>
                {
                    var window = ReadWindow(simulation);
                    var days = window.Last.DayNumber - window.First.DayNumber + 1;
                    var training = parse.GetValue(trainDays) ?? (days - Math.Max(1, days / 4));
                    if (parse.GetValue(trainDays) is { } given && (given < 2 || given >= days))
                    {
                        throw new UsageException($"--train-days {given} must leave at least one later day to score and be at least 2; the simulation has {days} day(s).");
                    }

                    var thresholds = new Thresholds(parse.GetValue(minPrecision), parse.GetValue(minRecall), parse.GetValue(minAuc), parse.GetValue(minModelRecall));
                    var source = parse.GetValue(vendor) is { } name ? LogFormats.NameOf(LogFormats.Parse(name)!.Value) : null;
                    return (Config: globals.LoadConfig(parse), Window: window, Retention: storeOptions.EventRetentionDays, TrainDays: days >= 3 ? training : 0, Thresholds: thresholds, Source: source);
                },
                async (store, arguments, token) =>
                {
                    var ingest = await IngestCommand.RunAsync(store, new IngestOptions { RetentionDays = arguments.Retention }, [Path.Combine(simulation, "logs")], token).ConfigureAwait(false);
                    if (ingest != ExitCodes.Ok)
                    {
                        return ingest;
                    }

                    // Other receivers' DMARC reports about the simulated domain, for the join's detectors; not on one
                    // vendor's logs alone, whose truth keeps only what that vendor's relays saw.
                    var config = arguments.Source is null ? SimulationExtras.WithRelayAddresses(arguments.Config, simulation) : arguments.Config;
                    if (arguments.Source is null && await SimulationExtras.LoadDmarcAsync(store, simulation, token).ConfigureAwait(false) is { } dmarc)
                    {
                        Console.WriteLine(SimulationExtras.Describe(dmarc, simulation));
                    }

                    // Its network context (context.csv), as an operator loads theirs: dha's as_campaign rule needs it.
                    if (await SimulationExtras.LoadContextAsync(store, simulation, token).ConfigureAwait(false) is { } networks)
                    {
                        Console.WriteLine(Invariant($"Network context: {networks:N0} networks from {Path.Combine(simulation, Simulator.ContextFile)}"));
                    }

                    var truth = arguments.Source is null
                        ? File.ReadAllLines(Path.Combine(simulation, "truth.jsonl"))
                        : await KeepVendorAsync(store, arguments.Source, File.ReadLines(Path.Combine(simulation, "truth.jsonl")), token).ConfigureAwait(false);
                    Console.WriteLine();
                    var (first, last) = arguments.Window;
                    await DetectCommand.RunAsync(store, config.Estate, config.Detectors, first, last, token).ConfigureAwait(false);
                    var findings = await Finding.ReadAsync(store, first, last, token).ConfigureAwait(false);
                    var detectors = DetectorCatalog.Create(config.Detectors).Select(d => d.Name).ToList();
                    var scores = TruthEvaluation.Evaluate(truth, findings, detectors);
                    Console.WriteLine();
                    Console.Write(Format(scores, findings));
                    Console.WriteLine();
                    Console.Write(FormatShapes(TruthEvaluation.EvaluateShapes(truth, findings, detectors)));
                    var shortfalls = scores.Where(s => s.Precision < arguments.Thresholds.Precision).Select(s => Invariant($"{s.Detector}'s precision {s.Precision:F3} is below --min-precision {arguments.Thresholds.Precision}"))
                        .Concat(scores.Where(s => s.Recall < arguments.Thresholds.Recall).Select(s => Invariant($"{s.Detector}'s recall {s.Recall:F3} is below --min-recall {arguments.Thresholds.Recall}")))
                        .ToList();
                    if (arguments.TrainDays == 0)
                    {
                        Console.WriteLine();
                        Console.WriteLine("The reputation model is not measured: it needs a simulation of 3 days or more (earlier days to learn from, a later one to score).");
                    }
                    else
                    {
                        Console.WriteLine();
                        ModelEvaluation? evaluation = null;
                        try
                        {
                            evaluation = await EvaluateModelAsync(store, config, truth, first, first.AddDays(arguments.TrainDays - 1), last, token).ConfigureAwait(false);
                        }
                        catch (WorkFailedException e) when (arguments.Source is not null)
                        {
                            // Domino's logs alone hold only our relays handing mail in: no outside address to learn from or score.
                            Console.WriteLine($"The reputation model is not measured on {arguments.Source}'s logs alone: {e.Message}");
                        }

                        // No attackers (or no legitimate senders) on the scored days leaves the AUC undefined: that fails a threshold too.
                        if (evaluation is not null && arguments.Thresholds.Auc > 0 && !(evaluation.All.RocAuc >= arguments.Thresholds.Auc))
                        {
                            shortfalls.Add(Invariant($"the model's ROC AUC {evaluation.All.RocAuc:F3} is below --min-auc {arguments.Thresholds.Auc}"));
                        }

                        if (evaluation is not null && evaluation.All.RecallAtFpr01 < arguments.Thresholds.ModelRecall)
                        {
                            shortfalls.Add(Invariant($"the model's recall at 0.1% false positives {evaluation.All.RecallAtFpr01:F3} is below --min-model-recall {arguments.Thresholds.ModelRecall}"));
                        }
                    }

                    Console.WriteLine();
                    var blocklist = await EvaluateBlocklistAsync(store, config, truth, last, token).ConfigureAwait(false);
                    if (blocklist.LegitimateListed.Count > 0)
                    {
                        shortfalls.Add($"the blocklist lists {blocklist.LegitimateListed.Count} legitimate sender(s), which it must never do: {string.Join(", ", blocklist.LegitimateListed.Take(5))}");
                    }

                    foreach (var shortfall in shortfalls)
                    {
                        await Console.Error.WriteLineAsync($"relaywatch: {char.ToUpperInvariant(shortfall[0])}{shortfall[1..]}.").ConfigureAwait(false);
                    }

                    return shortfalls.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
                },
                cancellationToken);
        });
        return command;
    }

    private sealed record Thresholds(double Precision, double Recall, double Auc, double ModelRecall);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Drops every event that is not <paramref name="source"/>'s and cuts the truth to what its relays saw
    /// (<see cref="VendorTruth"/>); says how much of each is left.
    /// </summary>
    private static async Task<IReadOnlyList<string>> KeepVendorAsync(IClickHouseStore store, string source, IEnumerable<string> truth, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string> { ["source"] = source };
        await store.DeleteWhereAsync("smtp_events", "source != {source:String}", parameters, cancellationToken).ConfigureAwait(false);
        var relays = (await store.QueryListAsync("SELECT DISTINCT relay FROM smtp_events", null, cancellationToken).ConfigureAwait(false)).Select(r => r[0]).ToHashSet(StringComparer.Ordinal);
        var seen = (await store.QueryListAsync($"SELECT DISTINCT {Sql.ClientIp} FROM smtp_events WHERE client_ip != toIPv6('::')", null, cancellationToken).ConfigureAwait(false))
            .Select(r => System.Net.IPAddress.Parse(r[0])).ToHashSet();
        var all = truth.ToList();
        var kept = VendorTruth.Restrict(all, relays, seen);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Vendor {source} alone: relays {(relays.Count == 0 ? "none" : string.Join(", ", relays.Order(StringComparer.Ordinal)))}; {seen.Count:N0} client addresses; {kept.Count:N0} of {all.Count:N0} truth records reached them."));
        return kept;
    }

    /// <summary>Updates the blocklist from the last day, as the nightly job would an hour after it, and checks what it publishes.</summary>
    private static async Task<BlocklistEvaluation> EvaluateBlocklistAsync(
        IClickHouseStore store, Configuration.ConfigFile config, IReadOnlyList<string> truth, DateOnly last, CancellationToken cancellationToken)
    {
        var now = last.AddDays(1).ToDateTime(new TimeOnly(1, 0), DateTimeKind.Utc);
        var update = await new BlocklistUpdater(store, config.Blocklists, config.Estate, new FixedClock(now)).UpdateAsync(last, cancellationToken).ConfigureAwait(false);
        var published = await BlocklistExport.PublishedAsync(store, config.Blocklists, config.Estate, now, cancellationToken).ConfigureAwait(false);
        var findings = await Finding.ReadAsync(store, last, last, cancellationToken).ConfigureAwait(false);
        var evaluation = BlocklistEvaluation.Evaluate(truth, published, findings, config.Blocklists);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Blocklist from {Days.Text(last)}: {evaluation.Published} published ({update.Listed.Count} listed, {update.Review.Count} held for review, {update.Refused.Count} refused); legitimate senders listed: {evaluation.LegitimateListed.Count}; the day's findings published: {evaluation.Found.Count - evaluation.NotPublished.Count} of {evaluation.Found.Count}"));
        foreach (var wrong in evaluation.LegitimateListed.Take(5))
        {
            Console.WriteLine($"    legitimate sender listed  {wrong}");
        }

        foreach (var missing in evaluation.NotPublished.Take(5))
        {
            var why = update.Review.FirstOrDefault(r => r.Subject == missing)?.Reason ?? update.Refused.FirstOrDefault(r => r.Subject == missing).Why ?? "not published";
            Console.WriteLine($"    not published             {missing}: {why}");
        }

        return evaluation;
    }

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now, TimeSpan.Zero);
    }

    /// <summary>Trains on the first days, scores each later one, and measures the scores against the truth.</summary>
    private static async Task<ModelEvaluation> EvaluateModelAsync(
        IClickHouseStore store, Configuration.ConfigFile config, IReadOnlyList<string> truth, DateOnly first, DateOnly lastTrained, DateOnly last, CancellationToken cancellationToken)
    {
        var model = await TrainCommand.RunAsync(store, config, first, lastTrained, cancellationToken).ConfigureAwait(false);
        Console.WriteLine();
        await AuditLabelsAsync(store, config, truth, first, lastTrained, cancellationToken).ConfigureAwait(false);
        var scorer = new IpScorer(store, config.Estate, config.Scoring);
        var scores = new List<IpScore>();
        var features = new List<IpFeatureRow>();
        for (var day = lastTrained.AddDays(1); day <= last; day = day.AddDays(1))
        {
            var run = await scorer.ScoreAsync(day, model.Version, top: 0, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Scored {run.Scored:N0} addresses on {Days.Text(day)}{(run.DriftWarnings.Count > 0 ? $"; drift: {string.Join("; ", run.DriftWarnings)}" : string.Empty)}."));
        }

        var rows = await store.QueryListAsync(
            "SELECT day, ip, score FROM ip_scores WHERE model = {model:String} AND day BETWEEN {first:Date} AND {last:Date}",
            new Dictionary<string, string> { ["model"] = model.Version, ["first"] = Days.Text(lastTrained.AddDays(1)), ["last"] = Days.Text(last) },
            cancellationToken).ConfigureAwait(false);
        scores.AddRange(rows.Select(r => new IpScore(DateOnly.ParseExact(r[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), r[1], string.Empty, double.Parse(r[2], CultureInfo.InvariantCulture), [])));
        features.AddRange(await FeatureQuery.ReadDaysAsync(store, config.Estate, lastTrained.AddDays(1), last, cancellationToken).ConfigureAwait(false));
        var evaluation = ModelEvaluation.Evaluate(truth, scores, features);
        Console.WriteLine();
        Console.Write(FormatModel(model.Version, lastTrained.AddDays(1), last, evaluation));
        return evaluation;
    }

    /// <summary>
    /// The training days' labels against the truth, under the finding-label table (docs/scoring.md) and under the
    /// rule before it (every finding's subject and what it covers bad, backscatter left out): how many innocent
    /// addresses each would have taught the model as bad.
    /// </summary>
    private static async Task AuditLabelsAsync(
        IClickHouseStore store, Configuration.ConfigFile config, IReadOnlyList<string> truth, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var rows = await FeatureQuery.ReadDaysAsync(store, config.Estate, first, last, cancellationToken).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Labels of the training days ({Days.Text(first)} to {Days.Text(last)}) against the truth, per address-day:"));
        foreach (var (name, table) in new[] { ("finding-label table", FindingLabels.Table), ("subjects only (before)", FindingLabels.SubjectsOnly) })
        {
            var labels = await LabelBook.LoadAsync(store, config.Scoring, first, last, table, cancellationToken).ConfigureAwait(false);
            var audit = LabelAudit.Measure(truth, rows, labels.LabelOf);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-24} innocent labelled bad {audit.InnocentBadTotal:N0} of {audit.Innocent:N0}{(audit.InnocentBad.Count == 0 ? string.Empty : " (" + string.Join(", ", audit.InnocentBad.Select(b => $"{b.Key} {b.Value}")) + ")")}; innocent left out {audit.InnocentLeftOut:N0}; attackers labelled bad {audit.AttackersBad:N0} of {audit.Attackers:N0}"));
            foreach (var sample in audit.InnocentBadSamples.Take(5))
            {
                Console.WriteLine($"      innocent labelled bad  {sample}");
            }
        }
    }

    private static string FormatModel(string version, DateOnly first, DateOnly last, ModelEvaluation e)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"IP scores of {version} on {Days.Text(first)} to {Days.Text(last)} (days it never learnt from), against the truth:\n");
        text.Append("                            attackers  legitimate  ROC AUC   PR AUC  recall@0.1%FPR  recall@1%FPR\n");
        foreach (var (name, m) in new[] { ("all attackers", e.All), ("low-and-slow and botnets", e.LowAndSlow) })
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{name,-26} {m.Positives,10:N0} {m.Negatives,11:N0} {m.RocAuc,8:F3} {m.PrAuc,8:F3} {m.RecallAtFpr01,15:F3} {m.RecallAtFpr1,13:F3}\n");
        }

        foreach (var (name, rule, model) in new[] { ("all attackers", e.BestRuleAll, e.All), ("low-and-slow and botnets", e.BestRuleLowAndSlow, e.LowAndSlow) })
        {
            text.Append(CultureInfo.InvariantCulture,
                $"best single rule on {name}: {rule.Feature} ({(rule.HigherIsWorse ? "higher" : "lower")} is worse), recall {rule.RecallAtFpr01:F3} at 0.1% false positives; the model: {model.RecallAtFpr01:F3} ({(model.RecallAtFpr01 - rule.RecallAtFpr01) * 100:+0.0;-0.0;0} points)\n");
        }

        text.Append("per attack shape, against every innocent address: recall at 0.1% false positives, the model beside the best single rule\n");
        foreach (var shape in e.PerShape)
        {
            var rule = shape.BestRule;
            text.Append(CultureInfo.InvariantCulture,
                $"{shape.Shape,-26} {shape.Model.Positives,10:N0} attacker-days  model {shape.Model.RecallAtFpr01:F3}  best rule {rule.RecallAtFpr01:F3} ({(rule.Feature.Length == 0 ? "none" : rule.Feature + (rule.HigherIsWorse ? ", higher is worse" : ", lower is worse"))})  {(shape.Model.RecallAtFpr01 - rule.RecallAtFpr01) * 100:+0.0;-0.0;0} points\n");
        }

        foreach (var shape in ModelEvaluation.LookLegitimateShapes.Where(s => e.PerShape.All(p => p.Shape != s)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{shape,-26} no address of this shape was scored on these days\n");
        }

        if (e.LookLegitimate is { } hard)
        {
            var margin = (hard.Model.RecallAtFpr01 - hard.BestRule.RecallAtFpr01) * 100;
            text.Append(CultureInfo.InvariantCulture,
                $"{"the three hard shapes",-26} {hard.Model.Positives,10:N0} attacker-days  model {hard.Model.RecallAtFpr01:F3}  best rule {hard.BestRule.RecallAtFpr01:F3} ({(hard.BestRule.Feature.Length == 0 ? "none" : hard.BestRule.Feature)})  {margin:+0.0;-0.0;0} points: the goal of +10 is {(margin >= 10 ? "met" : "not met")}\n");
        }

        if (e.InnocentBouncers.Scored > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"innocent bouncing servers scored at 0.5 or more: {e.InnocentBouncers.Flagged} of {e.InnocentBouncers.Scored} (server-days)\n");
        }

        foreach (var wrong in e.FalsePositives.Take(5))
        {
            text.Append(CultureInfo.InvariantCulture, $"    false positive  {wrong}\n");
        }

        foreach (var missed in e.Missed.Take(5))
        {
            text.Append(CultureInfo.InvariantCulture, $"    missed          {missed}\n");
        }

        if (e.FalsePositives.Count + e.Missed.Count > 10)
        {
            text.Append(CultureInfo.InvariantCulture, $"    ({e.FalsePositives.Count} false positives and {e.Missed.Count} missed at a score of 0.5 in all)\n");
        }

        return text.ToString();
    }

    /// <summary>Per detector: precision and recall, then every miss and every false positive with the finding's own explanation.</summary>
    private static string Format(IReadOnlyList<DetectorScore> scores, IReadOnlyList<Finding> findings)
    {
        var text = new System.Text.StringBuilder("detector             expected    found  precision   recall  on typo senders\n");
        foreach (var s in scores)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{s.Detector,-20} {s.Expected.Count,9:N0} {s.Found.Count,8:N0} {s.Precision,10:F3} {s.Recall,8:F3} {s.OnTypoSenders.Count,16:N0}\n");
            foreach (var missed in s.Missed)
            {
                text.Append(CultureInfo.InvariantCulture, $"    missed          {missed}\n");
            }

            foreach (var wrong in s.FalsePositives)
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

    /// <summary>
    /// Per shape of the truth: an attack shape's recall by the detector of its kind and every subject it
    /// missed (or, plainly, that no detector covers it); an innocent shape's subjects that a finding named,
    /// each with the detector and the finding's subject.
    /// </summary>
    private static string FormatShapes(IReadOnlyList<ShapeScore> shapes)
    {
        var text = new System.Text.StringBuilder("shape                                       subjects  detector              found   recall\n");
        foreach (var s in shapes.Where(s => !s.Innocent))
        {
            var name = $"{s.Kind}/{s.Shape}";
            if (s.Detector is null)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name,-42} {s.Subjects.Count,9:N0}  (no detector covers this shape: not measured)\n");
                continue;
            }

            text.Append(CultureInfo.InvariantCulture,
                $"{name,-42} {s.Subjects.Count,9:N0}  {s.Detector,-20} {s.Subjects.Count - s.Missed.Count,6:N0} {s.Recall,8:F3}\n");
            foreach (var missed in s.Missed)
            {
                text.Append(CultureInfo.InvariantCulture, $"    missed          {missed}\n");
            }
        }

        text.Append("innocent senders                            subjects  named by a finding\n");
        foreach (var s in shapes.Where(s => s.Innocent))
        {
            var named = s.Named.Select(n => n.Subject).Distinct(StringComparer.Ordinal).Count();
            text.Append(CultureInfo.InvariantCulture, $"{s.Kind + "/" + s.Shape,-42} {s.Subjects.Count,9:N0}  {named:N0}\n");
            foreach (var (subject, detector, finding) in s.Named)
            {
                text.Append(CultureInfo.InvariantCulture, $"    false positive  {subject}: named by {detector}{(finding == subject ? string.Empty : $" as {finding}")}\n");
            }
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
