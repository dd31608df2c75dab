using System.Globalization;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Bench;

/// <summary>
/// What one format's parser makes of files: how many lines were events, skipped or unrecognised, by kind, and
/// each unrecognised line. For checking that a parser change leaves real logs' lines recognised.
/// </summary>
internal static class LineOutcomes
{
    public static int Run(string[] args)
    {
        var format = LogFormats.Parse(args[0]) ?? throw new ArgumentException($"No log format is called {args[0]}.", nameof(args));
        var parser = LogFormats.CreateParser(format);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var path in args[1..])
        {
            var origin = new LineOrigin(path, null, TimestampContext.Utc(2026));
            var n = 0;
            foreach (var line in File.ReadLines(path))
            {
                var result = parser.Parse(line, origin, ++n);
                var key = result.Outcome + " " + result.Kind;
                counts[key] = counts.GetValueOrDefault(key) + 1;
                if (result.Outcome == LineOutcome.Unrecognised && true)
                {
                    Console.WriteLine("  U " + result.Kind + " | " + line[..Math.Min(150, line.Length)]);
                }
            }
        }

        foreach (var (key, count) in counts)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,6} {key}"));
        }

        return 0;
    }
}
