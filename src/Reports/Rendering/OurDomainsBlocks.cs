using System.Globalization;
using RelayWatch.Analysis.Dmarc;
using RelayWatch.Reports.Content;
using static RelayWatch.Reports.Rendering.ReportDocument;
using static System.FormattableString;

namespace RelayWatch.Reports.Rendering;

/// <summary>Words "Our domains as others see them" (<see cref="OurDomainsSection"/>) for the HTML page and the Markdown.</summary>
internal static class OurDomainsBlocks
{
    /// <summary>Said once, instead of the section's tables, when no DMARC or TLS report covers the day.</summary>
    public const string NoReports =
        "No DMARC aggregate or SMTP TLS report covers this day: load them with relaywatch dmarc load PATH (files or folders) or relaywatch dmarc fetch (a mailbox over IMAP), as docs/operations.md (\"DMARC reports\") describes.";

    public static void Add(DailyReport report, List<Block> blocks)
    {
        blocks.Add(new Heading(2, "7. Our domains as others see them", "our-domains"));
        if (report.OurDomains is not { } section)
        {
            blocks.Add(new Paragraph(NoReports));
            return;
        }

        blocks.Add(new Heading(3, "Policy and DMARC results per domain", "dmarc-domains"));
        blocks.Add(section.Domains.Count == 0
            ? new Paragraph("No DMARC aggregate report about our domains covers this day; only SMTP TLS reports do.")
            : new Table(
                ["Domain", "Policy", "Messages", "Ours", "Ours failing DMARC", "Others failing DMARC", "Of those delivered", "Next step"],
                [.. section.Domains.Select(d => (IReadOnlyList<string>)[
                    d.Domain, Policy(d), Number(d.Messages), Number(d.OursMessages), Number(d.OursFailing), Number(d.Forged), Number(d.ForgedDelivered), d.Advice])],
                [false, false, true, true, true, true, true, false]));

        blocks.Add(new Heading(3, "Sending as our domains and failing DMARC", "dmarc-forgers"));
        if (section.ForgerCount == 0)
        {
            blocks.Add(new Paragraph("No source outside our relays and networks failed DMARC as our domains in the reports covering this day."));
        }
        else
        {
            blocks.Add(new Paragraph(Invariant(
                $"{section.ForgerCount:N0} source(s) failed DMARC as our domains at other receivers; {section.ForgersOnOurRelays:N0} of them also hit our relays that day (listed first).")));
            blocks.Add(new Table(
                ["Source", "Messages", "As", "Reported by", "Disposition", "Our relays that day"],
                [.. section.Forgers.Select(f => (IReadOnlyList<string>)[
                    f.Ip, Number(f.Messages), string.Join(", ", f.Domains), string.Join(", ", f.Reporters), string.Join(", ", f.Dispositions), Relays(f)])],
                [false, true, false, false, false, false]));
            if (section.ForgerCount > section.Forgers.Count)
            {
                blocks.Add(new Paragraph(Invariant($"{section.ForgerCount - section.Forgers.Count:N0} more: relaywatch dmarc show --day {report.Day:yyyy-MM-dd}"), Muted: true));
            }
        }

        blocks.Add(new Heading(3, "Our own mail failing SPF or DKIM at receivers", "dmarc-outbound"));
        blocks.Add(section.OutboundFailures.Count == 0
            ? new Paragraph("None: receivers reported no message from our relays or networks failing SPF or DKIM.")
            : new Table(
                ["Source", "Messages", "DKIM failing", "SPF failing", "DMARC failing", "As", "Reported by"],
                [.. section.OutboundFailures.Select(o => (IReadOnlyList<string>)[
                    o.Ip, Number(o.Messages), Number(o.DkimFailing), Number(o.SpfFailing), Number(o.DmarcFailing), string.Join(", ", o.Domains), string.Join(", ", o.Reporters)])],
                [false, true, true, true, true, false, false]));

        blocks.Add(new Heading(3, "Failed TLS sessions toward our MX", "tls-failures"));
        blocks.Add(section.TlsFailures.Count == 0
            ? new Paragraph("No SMTP TLS report covering this day counts a failed session toward our MX.")
            : new Table(
                ["Domain", "Result type", "Failed sessions", "Reported by"],
                [.. section.TlsFailures.Select(t => (IReadOnlyList<string>)[t.Domain, t.ResultType, Number(t.Sessions), string.Join(", ", t.Reporters)])],
                [false, false, true, false]));
    }

    private static string Policy(DmarcDomainPolicy domain) =>
        domain.P.Length == 0 ? "none published" : Invariant($"p={domain.P}{(domain.Pct < 100 ? Invariant($" pct={domain.Pct}") : string.Empty)}");

    private static string Relays(DmarcForger forger) =>
        forger.AlsoHitOurRelays ? Invariant($"{string.Join(", ", forger.Relays)} ({forger.RelayEvents:N0} event(s))") : "not seen";

    private static string Number(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
