using System.Diagnostics;
using System.Globalization;
using RelayWatch.Simulation;

namespace RelayWatch.Bench;

/// <summary>Simulator throughput at scale 1 (the classic world, or the harder one with <c>--harder</c>) (about a million lines a day), with peak memory and lines held in flight.</summary>
internal static class SimulateBenchmark
{
    public static int Run(string[] args)
    {
        var arguments = new BenchArguments(args);
        var days = (int)arguments.Long("--days", 3);
        var world = args.Contains("--harder") ? SimulationWorld.Harder : SimulationWorld.Classic;
        var output = Path.Combine(Path.GetTempPath(), "relaywatch-simulate-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var summary = new Simulator(new SimulationOptions { Days = days, Scale = 1, Output = output, World = world }).Run(CancellationToken.None);
            var lines = summary.LinesByFile.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Simulated {days} day(s) of the {Simulator.World(world)} world at scale 1: {lines:N0} lines in {summary.Elapsed.TotalSeconds:F1} s = {lines / summary.Elapsed.TotalSeconds:N0} lines/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MiB; at most {summary.MaxLinesInFlight:N0} lines held at once"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
