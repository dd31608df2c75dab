using System.Globalization;
using RelayWatch.Reports.Charts;
using RelayWatch.Reports.Content;
using static RelayWatch.Reports.Rendering.ReportDocument;
using static System.FormattableString;

namespace RelayWatch.Reports.Rendering;

/// <summary>Words "Where the attacks came from" (<see cref="AttackNetworksSection"/>) for the HTML page and the Markdown.</summary>
internal static class AttackNetworksBlocks
{
    /// <summary>Said once, instead of the section's tables, when no network context is loaded.</summary>
    public const string ContextOff =
        "Network context is off: load MaxMind ASN and Country databases or a CSV of networks with relaywatch context load, as docs/operations.md (\"Network context\") describes, to see the networks and countries behind the attacks.";

    public static void Add(DailyReport report, List<Block> blocks, Action<string> figure)
    {
        blocks.Add(new Heading(2, "8. Where the attacks came from", "attack-networks"));
        if (report.AttackNetworks is not { } section)
        {
            blocks.Add(new Paragraph(ContextOff));
            return;
        }

        if (section.Addresses == 0)
        {
            blocks.Add(new Paragraph("No address a finding of this day blames sent anything to our relays."));
            return;
        }

        blocks.Add(new Paragraph(Invariant(
            $"The {section.Addresses:N0} addresses the day's findings blame (a network's or campaign's members, not backscatter's bouncing servers) that reached our relays, with {section.Events:N0} events, by the network and country behind them.")));
        blocks.Add(new Heading(3, "By network", "attack-networks-as"));
        blocks.Add(new Table(
            ["Network", "Organisation", "Country", "Addresses", "Events", "Refused"],
            [.. section.Networks.Select(n => (IReadOnlyList<string>)[
                ReportCharts.AsLabel(n.Asn), n.Organisation, n.Country, Number(n.Addresses), Number(n.Events), Number(n.Refused)])],
            [false, false, false, true, true, true]));
        figure("attack-networks");
        blocks.Add(new Heading(3, "By country", "attack-countries"));
        blocks.Add(new Table(
            ["Country", "Addresses", "Events", "Refused"],
            [.. section.Countries.Select(c => (IReadOnlyList<string>)[c.Code.Length == 0 ? "unknown" : c.Code, Number(c.Addresses), Number(c.Events), Number(c.Refused)])],
            [false, true, true, true]));
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
