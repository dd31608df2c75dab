using System.Globalization;
using System.Text;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;

namespace RelayWatch.Cli.Output;

/// <summary>
/// Findings for a terminal: per detector, worst first, each with the sentence that says why. The
/// bots of one shared-dictionary harvest are one line per day, not one line per bot.
/// </summary>
internal static class FindingsText
{
    /// <param name="query">How to run a query against this store, for the "and N more" hint.</param>
    /// <param name="context">Who is behind each subject (network context), when loaded; subjects without are shown as before.</param>
    public static string Format(
        IReadOnlyList<Finding> findings, IReadOnlyList<string> detectors, string query = "relaywatch query", int perDetector = 10,
        IReadOnlyDictionary<string, NetworkContext>? context = null)
    {
        var text = new StringBuilder();
        foreach (var detector in detectors)
        {
            var found = findings.Where(f => f.Detector == detector).ToList();
            text.Append(CultureInfo.InvariantCulture, $"{detector} — {found.Count} finding(s)\n");
            var lines = Lines(found, context).ToList();
            foreach (var line in lines.Take(perDetector))
            {
                text.Append(line).Append('\n');
            }

            if (lines.Count > perDetector)
            {
                text.Append(CultureInfo.InvariantCulture, $"  … and {lines.Count - perDetector} more ({query} \"SELECT * FROM findings WHERE detector = '{detector}'\")\n");
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Lines(IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, NetworkContext>? context)
    {
        var botnets = findings.Where(IsBot).GroupBy(f => f.Day).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var finding in findings)
        {
            if (!IsBot(finding))
            {
                yield return Line(finding.Day, finding.Severity, finding.Subject, FindingExplainer.Explain(finding, context?.GetValueOrDefault(finding.Subject)));
            }
            else if (botnets.Remove(finding.Day, out var bots))
            {
                yield return bots.Count == 1
                    ? Line(finding.Day, finding.Severity, finding.Subject, FindingExplainer.Explain(finding, context?.GetValueOrDefault(finding.Subject)))
                    : Line(finding.Day, finding.Severity, $"{bots.Count} bots", FindingExplainer.ExplainCampaign(bots));
            }
        }
    }

    private static bool IsBot(Finding finding) =>
        finding.Detector == DetectorNames.DirectoryHarvest && finding.Evidence.Contains("\"rule\":\"shared_dictionary\"", StringComparison.Ordinal);

    private static string Line(DateOnly day, string severity, string subject, string why) =>
        string.Create(CultureInfo.InvariantCulture, $"  {day:yyyy-MM-dd}  {severity,-8}  {subject,-24}  {why}");
}
