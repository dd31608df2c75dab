using RelayWatch.Analysis.Dmarc;
using RelayWatch.Reports.Content;

namespace RelayWatch.Reports.Sections;

/// <summary>
/// Reads "Our domains as others see them" through <see cref="DmarcView"/> for the report's day. Reporter names,
/// domains and result types are written by whoever sent the report, so they are made safe to show like log text.
/// </summary>
internal static class OurDomainsReader
{
    /// <summary>Forgers the report lists (the JSON too); the view orders them, those also on our relays first. The section counts them all.</summary>
    public const int ForgersShown = 50;

    public static async Task<OurDomainsSection?> ReadAsync(ReportContext context, CancellationToken cancellationToken)
    {
        var view = await new DmarcView(context.Store).ReadAsync(context.Day, context.Estate, cancellationToken).ConfigureAwait(false);
        if (view.Domains.Count == 0 && view.Forgers.Count == 0 && view.OutboundFailures.Count == 0 && view.TlsFailures.Count == 0)
        {
            return null;
        }

        return new OurDomainsSection(
            [.. view.Domains.Select(d => d with { Domain = Values.Shown(d.Domain), P = Values.Shown(d.P, 20) })],
            view.Forgers.Count,
            view.Forgers.Count(f => f.AlsoHitOurRelays),
            [.. view.Forgers.Take(ForgersShown).Select(f => f with
            {
                Reporters = Shown(f.Reporters),
                Domains = Shown(f.Domains),
                Dispositions = Shown(f.Dispositions),
                Relays = Shown(f.Relays),
            })],
            [.. view.OutboundFailures.Select(o => o with { Reporters = Shown(o.Reporters), Domains = Shown(o.Domains) })],
            [.. view.TlsFailures.Select(t => t with { Domain = Values.Shown(t.Domain), ResultType = Values.Shown(t.ResultType, 60), Reporters = Shown(t.Reporters) })]);
    }

    /// <summary>What belongs at the top of the page: forgers seen from both sides, and our own mail failing DMARC at receivers.</summary>
    public static IEnumerable<string> Callouts(OurDomainsSection? section)
    {
        if (section is null)
        {
            yield break;
        }

        if (section.ForgersOnOurRelays > 0)
        {
            var both = section.Forgers.Where(f => f.AlsoHitOurRelays).Take(5).Select(f => f.Ip);
            yield return FormattableString.Invariant(
                $"DMARC: {section.ForgersOnOurRelays} source(s) that failed DMARC sending as our domains elsewhere also hit our relays today: {string.Join(", ", both)}{(section.ForgersOnOurRelays > 5 ? ", …" : string.Empty)}.");
        }

        foreach (var failure in section.OutboundFailures.Where(o => o.DmarcFailing > 0))
        {
            yield return FormattableString.Invariant(
                $"DMARC: {failure.DmarcFailing} message(s) of ours from {failure.Ip} failed DMARC at {string.Join(", ", failure.Reporters)}: check its SPF and DKIM.");
        }
    }

    private static List<string> Shown(IReadOnlyList<string> values) => [.. values.Select(v => Values.Shown(v))];
}
