using System.Globalization;
using System.Text;
using RelayWatch.Analysis.Detection;

namespace RelayWatch.Cli.Output;

/// <summary>Findings for a terminal: per detector, worst first, each with the sentence that says why.</summary>
internal static class FindingsText
{
    public static string Format(IReadOnlyList<Finding> findings, IReadOnlyList<string> detectors, int perDetector = 10)
    {
        var text = new StringBuilder();
        foreach (var detector in detectors)
        {
            var found = findings.Where(f => f.Detector == detector).ToList();
            text.Append(CultureInfo.InvariantCulture, $"{detector} — {found.Count} finding(s)\n");
            foreach (var finding in found.Take(perDetector))
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  {finding.Day:yyyy-MM-dd}  {finding.Severity,-8}  {finding.Subject,-24}  {FindingExplainer.Explain(finding)}\n");
            }

            if (found.Count > perDetector)
            {
                text.Append(CultureInfo.InvariantCulture, $"  … and {found.Count - perDetector} more (relaywatch query \"SELECT * FROM findings WHERE detector = '{detector}'\")\n");
            }
        }

        return text.ToString();
    }
}
