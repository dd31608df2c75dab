using System.CommandLine;
using System.Globalization;
using RelayWatch.Simulation;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch simulate</c>: relay logs with ground truth, for trying RelayWatch and measuring its detectors.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var defaults = new SimulationOptions();
        var days = new Option<int>("--days") { Description = "Days to simulate", HelpName = "N", DefaultValueFactory = _ => defaults.Days };
        var start = new Option<string>("--start") { Description = "First day, YYYY-MM-DD", HelpName = "DATE", DefaultValueFactory = _ => defaults.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Days simulated before --start as history only (logs written, truth left out), so that detectors needing history see a store that has been running",
            HelpName = "N",
            DefaultValueFactory = _ => defaults.Warmup,
        };
        var vendor = new Option<string?>("--vendor")
        {
            Description = "Send every session to this vendor's relay, as if it were the only MX, so its logs hold the whole world (to measure detection on one vendor) [default: the MX records decide]",
            HelpName = string.Join('|', SimulationOptions.Vendors),
        };
        vendor.AcceptOnlyFromAmong([.. SimulationOptions.Vendors]);
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed writes byte-identical logs", HelpName = "S", DefaultValueFactory = _ => defaults.Seed };
        var scale = new Option<double>("--scale") { Description = "Traffic volume; at 1 a day is about a million log lines", HelpName = "X", DefaultValueFactory = _ => defaults.Scale };
        var growth = new Option<double>("--growth") { Description = "Daily growth of legitimate traffic, percent (compound)", HelpName = "PCT", DefaultValueFactory = _ => defaults.Growth };
        var world = new Option<string>("--world")
        {
            Description = "classic: today's world, every attack clearly apart from normal traffic; harder: beside it, backscatter waves, messy legitimate senders, snowshoe spam, very slow harvests and compromised accounts",
            HelpName = "classic|harder",
            DefaultValueFactory = _ => Simulator.World(defaults.World),
        };
        world.AcceptOnlyFromAmong("classic", "harder");
        var output = new Option<string>("--out") { Description = "Output folder (must not exist or be empty)", HelpName = "DIR", DefaultValueFactory = _ => defaults.Output };
        var command = new Command("simulate", "Write simulated relay logs with their ground truth (truth.jsonl): normal mail and every kind of attack, in the classic or the harder world")
        {
            world, days, start, warmup, vendor, seed, scale, growth, output,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(token =>
        {
            if (!DateOnly.TryParseExact(parse.GetValue(start), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            {
                throw new UsageException($"--start {parse.GetValue(start)} is not a date in the form YYYY-MM-DD.");
            }

            var options = new SimulationOptions { Days = parse.GetValue(days), Start = first, Warmup = parse.GetValue(warmup), Vendor = parse.GetValue(vendor), Seed = parse.GetValue(seed), Scale = parse.GetValue(scale), Growth = parse.GetValue(growth), Output = parse.GetValue(output)!,
                World = parse.GetValue(world) == "harder" ? SimulationWorld.Harder : SimulationWorld.Classic,
            };
            var simulator = new Simulator(options)
            {
                Progress = Console.IsErrorRedirected ? null : new Progress<(int Days, long Lines)>(p =>
                    Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  day {p.Days}/{options.SimulatedDays}, {p.Lines:N0} lines   "))),
            };
            SimulationSummary summary;
            try
            {
                summary = simulator.Run(token);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            catch (IOException e) when (e is not FileNotFoundException)
            {
                throw new UsageException(e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UsageException($"{options.Output} cannot be written ({e.Message.TrimEnd('.')}).");
            }

            if (!Console.IsErrorRedirected)
            {
                Console.Error.Write("\r" + new string(' ', 60) + "\r");
            }

            var lines = summary.LinesByFile.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Simulated {options.Days} day(s) from {options.Start:yyyy-MM-dd}{(options.Warmup > 0 ? $" after {options.Warmup} warm-up day(s) from {options.FirstSimulatedDay:yyyy-MM-dd}" : string.Empty)}: {lines:N0} lines in {summary.Elapsed.TotalSeconds:F1} s ({lines / Math.Max(summary.Elapsed.TotalSeconds, 0.001):N0} lines/s)."));
            foreach (var (file, count) in summary.LinesByFile)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Path.Combine(summary.Output, file)}  {count:N0} lines"));
            }

            Console.WriteLine($"  {Path.Combine(summary.Output, "truth.jsonl")}  {summary.TruthRecords} labelled actors and campaigns");
            Console.WriteLine($"Ingest it:  relaywatch ingest {Path.Combine(summary.Output, Simulator.LogsFolder)}");
            return Task.FromResult(ExitCodes.Ok);
        }, cancellationToken));
        return command;
    }
}
