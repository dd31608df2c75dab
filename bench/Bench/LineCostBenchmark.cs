using System.Diagnostics;
using System.Globalization;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Bench;

/// <summary>
/// What each line of a sample costs to parse: the sample parsed many times in its order (so correlation behaves as
/// in a real log), each line timed alone. The minimum over the rounds is the line's cost without the machine's
/// noise (other processes, collections); the mean includes them. A profile for finding the expensive line kinds,
/// not a throughput figure.
/// </summary>
internal static class LineCostBenchmark
{
    public static int Run(string[] args)
    {
        var format = LogFormats.Parse(args[0]) ?? throw new ArgumentException($"No log format is called {args[0]}.", nameof(args));
        var path = Path.Combine(BenchFolders.Samples, args[1]);
        var lines = File.ReadAllLines(path);
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000;
        var ticks = new long[lines.Length];
        var best = Enumerable.Repeat(long.MaxValue, lines.Length).ToArray();
        var parser = LogFormats.CreateParser(format);
        var origin = new LineOrigin(path, null, TimestampContext.Utc(2026));
        var kinds = new string[lines.Length];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var r = 0; r < rounds; r++)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var result = parser.Parse(lines[i], origin, i + 1);
                parser.TakeReleased();
                var took = Stopwatch.GetTimestamp() - start;
                ticks[i] += took;
                best[i] = Math.Min(best[i], took);
                kinds[i] = result.Outcome + " " + result.Kind;
            }
        }

        var total = ticks.Sum();
        for (var i = 0; i < lines.Length; i++)
        {
            var ns = ticks[i] * 1e9 / Stopwatch.Frequency / rounds;
            var min = best[i] * 1e9 / Stopwatch.Frequency;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{min,8:F0} min {ns,8:F0} ns {100.0 * ticks[i] / total,5:F1}%  {kinds[i],-40} {lines[i][..Math.Min(90, lines[i].Length)]}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated {(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)rounds / lines.Length:F0} bytes/line (harness included); gen0 collections {GC.CollectionCount(0)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sum of minima {best.Sum() * 1e9 / Stopwatch.Frequency / lines.Length:F0} ns/line; cpu {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean {total * 1e9 / Stopwatch.Frequency / rounds / lines.Length:F0} ns/line => {rounds * (double)lines.Length / (total / (double)Stopwatch.Frequency):N0} lines/s"));
        return 0;
    }
}
