using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RelayWatch.Simulation.Actors;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation;

/// <summary>
/// Writes simulated relay logs with their ground truth, deterministically for a seed and streaming
/// (memory holds only the sessions in flight, whatever the number of days). The output folder is
/// written under a temporary name and renamed when complete, so a half-written one never looks done:
/// <c>OUT/logs/RELAY/…</c>, each relay's log as its MTA writes it (which relay takes a session is
/// <see cref="MxRouting"/>'s choice), <c>OUT/logs/domino1/console.log</c> (the Domino server behind them,
/// <see cref="DominoServer"/>), <c>OUT/dmarc/</c> (other receivers' DMARC reports, <see cref="DmarcReporters"/>),
/// <c>OUT/context.csv</c>, <c>OUT/relaywatch.json</c>, <c>OUT/truth.jsonl</c>, <c>OUT/simulation.json</c>.
/// </summary>
public sealed class Simulator(SimulationOptions options)
{
    private static readonly JsonSerializerOptions JsonLines = new() { WriteIndented = false };

    /// <summary>The folder under the output that holds only logs, ready for <c>relaywatch ingest</c>.</summary>
    public const string LogsFolder = "logs";

    /// <summary>The folder under the output that holds other receivers' DMARC aggregate reports about our domain, ready for <c>relaywatch dmarc load</c>.</summary>
    public const string DmarcFolder = DmarcReporters.Folder;

    /// <summary>The context CSV (<c>network,asn,organisation,country</c>) of the simulated address space, ready for <c>relaywatch context load --csv</c>.</summary>
    public const string ContextFile = SimulatedNetworks.CsvFile;

    /// <summary>
    /// A configuration file (<c>--config</c>) with what an operator of the simulated estate would configure: the
    /// relays' public addresses (<c>estate.relayAddresses</c>), from which receivers see our outbound mail.
    /// </summary>
    public const string EstateFile = "relaywatch.json";

    private int maxInFlight;

    /// <summary>Reported after each simulated day: (days done, lines so far).</summary>
    public IProgress<(int Days, long Lines)>? Progress { get; init; }

    /// <exception cref="ArgumentException">The options are out of range; the message says which.</exception>
    /// <exception cref="IOException">The output folder exists already or cannot be written.</exception>
    public SimulationSummary Run(CancellationToken cancellationToken)
    {
        options.Validate();
        var output = Path.GetFullPath(options.Output);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
        {
            throw new IOException($"{output} already exists and is not empty; remove it or choose another --out.");
        }

        var stopwatch = Stopwatch.StartNew();
        var staging = output.TrimEnd(Path.DirectorySeparatorChar) + $".partial-{Environment.ProcessId}";
        Directory.CreateDirectory(staging);
        try
        {
            // The world runs from the first warm-up day; only the truth is trimmed to the days from --start.
            var first = options.FirstSimulatedDay;
            var estate = new Estate(new Random(options.Seed), users: 150, first, options.Growth);
            var routing = options.Vendor is { } vendor
                ? MxRouting.Pinned(MxRouting.Sites.First(site => site.Mta.ToString().Equals(vendor, StringComparison.OrdinalIgnoreCase)).Relay, options.Seed, first)
                : new MxRouting(options.Seed, first, options.SimulatedDays);
            var log = new SimLog(routing);
            var spoofers = new SpoofedSender(estate, log, options.Seed, 4);
            // Not an actor of the relays: other receivers' reports about us, after each day (actor 21's own stream).
            var reporters = new DmarcReporters(estate, spoofers, routing, first, options.Scale, options.Seed, 21);
            List<IActor> actors =
            [
                new NormalTraffic(estate, log, options.Scale, options.Seed, 1),
                new DirectoryHarvest(estate, log, options.Seed, 2),
                new RelayProbe(estate, log, options.Seed, 3),
                spoofers,
                new Backscatter(estate, log, options.Seed, 5),
                new SlowHarvest(estate, log, options.Seed, 6),
                new SaslBruteForce(log, options.Seed, 7),
                new SpamBotnet(estate, log, options.Seed, 8),
                new OutboundMail(estate, log, options.Scale, options.Seed, 9),
                new OpenRelayAbuse(estate, log, options.Seed, 10, first),
                new DictionaryBotnet(estate, log, options.Seed, 11),
                new AcceptThenBounce(estate, log, options.Seed, 12),
                new SmallSenders(estate, log, options.Scale, options.Seed, 13),
                new AuthenticatedSenders(estate, log, options.Scale, options.Seed, 14),
                new DominoExposed(estate, log, options.Seed, 15, first),
            ];
            if (options.World == SimulationWorld.Harder)
            {
                // Beside today's world, what makes detection hard (issue 17); the slow harvest is actor 6.
                var addresses = new AddressSpace(options.Seed, first, options.SimulatedDays, slowHarvestIndex: 6);
                actors.AddRange(
                [
                    new BackscatterWave(estate, log, addresses, first, options.Seed, 16),
                    new MessySenders(estate, log, options.Seed, 17),
                    new SnowshoeSpam(estate, log, addresses, first, options.Seed, 18),
                    new VerySlowHarvest(estate, log, addresses, options.Seed, 19),
                    new RemoteUsers(estate, log, addresses, options.Start, options.Days, options.Seed, 20),
                    new AsCampaignHarvest(estate, log, addresses, options.Seed, 22),
                ]);
            }

            // One log per host, each as that host writes it (Exchange: two logs, a file of each a day).
            long lines = 0;
            using var logs = new LogWriters(staging);
            foreach (var site in MxRouting.Sites.Where(s => s.Mta != RelayMta.Exchange))
            {
                logs.Create(Path.Combine(site.Relay, site.Mta.LogFile()), []);
            }

            logs.Create(Path.Combine(DominoServer.Name, "console.log"), []);
            for (var day = 0; day < options.SimulatedDays; day++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var line in Merge(actors.Select(a => a.Sessions(first.AddDays(day)))))
                {
                    logs.Write(line);
                    lines++;
                }

                reporters.Write(first.AddDays(day), staging);
                Progress?.Report((day + 1, lines));
            }

            logs.Dispose();
            var failovers = routing.Outages.Select(o => new TruthRecord(
                "mx_failover", [MxRouting.Preferred], o.Start, o.End, [MxRouting.Preferred, MxRouting.Backup],
                new Dictionary<string, object> { ["from_site"] = MxRouting.Sites[0].Site, ["to_site"] = MxRouting.Sites[1].Site, ["to_relay"] = MxRouting.Backup }));
            var evaluated = new DateTimeOffset(options.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var truth = actors.SelectMany(a => a.Truth()).Concat(reporters.Truth()).Concat(failovers).Where(t => t.End >= evaluated).OrderBy(t => t.Start).ThenBy(t => t.Kind, StringComparer.Ordinal).ThenBy(t => t.Subjects[0], StringComparer.Ordinal).ToList();
            File.WriteAllLines(Path.Combine(staging, "truth.jsonl"), truth.Select(t => JsonSerializer.Serialize(t, JsonLines)), new UTF8Encoding(false));
            SimulatedNetworks.WriteCsv(Path.Combine(staging, SimulatedNetworks.CsvFile));
            File.WriteAllText(Path.Combine(staging, EstateFile), JsonSerializer.Serialize(new
            {
                estate = new { relayAddresses = MxRouting.Sites.Select(s => SimulatedNetworks.PublicAddress(s.Relay)).ToArray() },
            }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            File.WriteAllText(Path.Combine(staging, "simulation.json"), JsonSerializer.Serialize(new
            {
                command = $"relaywatch simulate --world {World(options.World)} --days {options.Days} --start {options.Start:yyyy-MM-dd}{(options.Warmup > 0 ? $" --warmup {options.Warmup}" : string.Empty)}{(options.Vendor is null ? string.Empty : $" --vendor {options.Vendor}")} --seed {options.Seed} --scale {options.Scale.ToString(System.Globalization.CultureInfo.InvariantCulture)} --growth {options.Growth.ToString(System.Globalization.CultureInfo.InvariantCulture)} --out OUT",
                world = World(options.World),
                days = options.Days,
                warmup = options.Warmup,
                vendor = options.Vendor,
                start = options.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                seed = options.Seed,
                scale = options.Scale,
                growth = options.Growth,
            }, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }) + "\n");

            if (Directory.Exists(output))
            {
                Directory.Delete(output);
            }

            Directory.Move(staging, output);
            return new SimulationSummary(output, logs.Counts, truth.Count, stopwatch.Elapsed)
            {
                MaxLinesInFlight = maxInFlight,
            };
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    /// <summary>A world's name on the command line and in <c>simulation.json</c>: <c>classic</c> or <c>harder</c>.</summary>
    public static string World(SimulationWorld world) => world.ToString().ToLowerInvariant();

    /// <summary>
    /// The output's log files: each line goes to its host's file (<see cref="SimLog.FileOf"/>), a file is
    /// begun with its header (<see cref="SimLog.HeaderOf"/>) and ends its lines as its host does
    /// (<see cref="SimLog.NewLineOf"/>), and a dated file is closed when the lines of
    /// its host and log move on to the next day's.
    /// </summary>
    private sealed class LogWriters(string staging) : IDisposable
    {
        private readonly Dictionary<string, StreamWriter> open = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Relay, string Program), string> current = [];

        /// <summary>Lines written, by file under the output folder, in the order the files were begun.</summary>
        public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

        public void Create(string file, IEnumerable<string> header, string newLine = "\n")
        {
            var path = Path.Combine(staging, LogsFolder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = newLine };
            open[file] = writer;
            Counts[Path.Combine(LogsFolder, file)] = 0;
            foreach (var line in header)
            {
                writer.WriteLine(line);
                Counts[Path.Combine(LogsFolder, file)]++;
            }
        }

        public void Write(SimLine line)
        {
            var file = SimLog.FileOf(line);
            if (!open.TryGetValue(file, out var writer))
            {
                if (current.TryGetValue((line.Relay, line.Program), out var previous) && open.Remove(previous, out var done))
                {
                    done.Dispose();
                }

                Create(file, SimLog.HeaderOf(line), SimLog.NewLineOf(line));
                writer = open[file];
            }

            current[(line.Relay, line.Program)] = file;
            writer.WriteLine(SimLog.Format(line));
            Counts[Path.Combine(LogsFolder, file)]++;
        }

        public void Dispose()
        {
            foreach (var writer in open.Values)
            {
                writer.Dispose();
            }

            open.Clear();
        }
    }

    /// <summary>
    /// Merges the actors' sessions into one time-ordered stream of lines. Sessions arrive per actor in
    /// order of their start; a session's lines enter the queue when it starts, so the queue holds only
    /// what is in flight.
    /// </summary>
    private IEnumerable<SimLine> Merge(IEnumerable<IEnumerable<IReadOnlyList<SimLine>>> actors)
    {
        var sources = actors.Select(a => a.GetEnumerator()).ToList();
        var starts = new PriorityQueue<int, (DateTimeOffset, int)>();
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i].MoveNext())
            {
                starts.Enqueue(i, (sources[i].Current[0].Time, i));
            }
        }

        var pending = new PriorityQueue<SimLine, (DateTimeOffset, long)>();
        while (starts.TryDequeue(out var source, out var key))
        {
            while (pending.TryPeek(out var line, out var when) && when.Item1 <= key.Item1)
            {
                pending.Dequeue();
                yield return line;
            }

            foreach (var line in sources[source].Current)
            {
                pending.Enqueue(line, (line.Time, line.Order));
            }

            maxInFlight = Math.Max(maxInFlight, pending.Count);

            if (sources[source].MoveNext())
            {
                starts.Enqueue(source, (sources[source].Current[0].Time, source));
            }
        }

        while (pending.TryDequeue(out var line, out _))
        {
            yield return line;
        }

        sources.ForEach(s => s.Dispose());
    }
}
