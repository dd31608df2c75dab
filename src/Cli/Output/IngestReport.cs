using System.Globalization;
using System.Text;
using RelayWatch.Ingest.Loading;

namespace RelayWatch.Cli.Output;

/// <summary>The end-of-run summary of <c>relaywatch ingest</c>: one row per file and a total.</summary>
internal static class IngestReport
{
    public static string Format(IReadOnlyList<FileSummary> summaries, TimeSpan elapsed)
    {
        // Files a folder held that are no mail logs (or copies of one) are listed after the table, as a note.
        var files = summaries.Where(s => s.PassedOver is null).ToList();
        var passedOver = summaries.Where(s => s.PassedOver is not null).ToList();
        var text = new StringBuilder();
        var width = Math.Clamp(files.Count == 0 ? 4 : files.Max(f => f.Path.Length), 4, 60);
        text.AppendLine(CultureInfo.InvariantCulture, $"{"file".PadRight(width)}  {"format",-8} {"lines",12} {"event lines",12} {"skipped",12} {"unrecognised",12} {"repaired",9}");
        var total = FileCounts.Zero;
        foreach (var file in files)
        {
            total += file.Counts;
            Row(text, Shorten(file.Path, width).PadRight(width), file.Format.Length > 0 ? file.Format : "?", file.Counts);
        }

        if (files.Count > 1)
        {
            Row(text, "total".PadRight(width), string.Empty, total);
        }

        var rate = elapsed.TotalSeconds > 0 ? total.Lines / elapsed.TotalSeconds : 0;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Read {total.Lines:N0} new lines ({total.Events:N0} with events) from {files.Count} file(s) in {elapsed.TotalSeconds:F1} s ({rate:N0} lines/s).");
        if (total.Expired > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{total.Expired:N0} events are older than the store's retention and were not stored; raise store.eventRetentionDays (docs/configuration.md) to keep them.");
        }

        if (passedOver.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Passed over {passedOver.Count} file(s) of the folders given:");
            foreach (var file in passedOver)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {file.Path}: {file.PassedOver}");
            }
        }

        if (total.Unrecognised > 0 || total.Repaired > 0)
        {
            text.AppendLine("Samples of unrecognised and repaired lines: relaywatch query \"SELECT * FROM ingest_errors ORDER BY ingested_at DESC LIMIT 20\"");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, string format, FileCounts counts) =>
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{name}  {format,-8} {counts.Lines,12:N0} {counts.Events,12:N0} {counts.Skipped,12:N0} {counts.Unrecognised,12:N0} {counts.Repaired,9:N0}");

    private static string Shorten(string path, int width) => path.Length <= width ? path : "…" + path[^(width - 1)..];
}
