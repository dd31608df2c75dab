using System.Net;
using RelayWatch.Analysis.Detection;
using RelayWatch.Store;
using RelayWatch.Store.Audit;

namespace RelayWatch.Analysis.Scoring;

/// <summary>Why a sender counts as bad or good for training, or is left out of it.</summary>
/// <param name="Source"><c>analyst</c>, <c>allowlist</c>, <c>finding:DETECTOR</c>, <c>dismissed:DETECTOR</c> (an analyst called that finding a false positive: good), <c>dnsbl</c>, <c>innocent:DETECTOR</c> (left out), or <c>unlabelled</c> (assumed good).</param>
/// <param name="Learnt">False for a sender the model neither learns from nor is measured on: its traffic says nothing either way.</param>
public sealed record SenderLabel(bool Bad, string Source, bool Learnt = true)
{
    /// <summary>A sender a finding that is innocent by kind names (<see cref="FindingLabels"/>): never bad, and no example of good mail either.</summary>
    public static SenderLabel InnocentByKind(string detector) => new(false, "innocent:" + detector, Learnt: false);
}

/// <summary>
/// The labels the model learns from, strongest first: an analyst's verdict; the configured allowlist
/// (good); a finding that day, through the table <see cref="FindingLabels"/> — bad for the addresses
/// a finding of abuse concerns (a network finding's or a campaign's named members only, never the
/// rest of a provider's /24), innocent by kind (left out of training) for bouncing servers, good for the
/// addresses of a finding an analyst dismissed as a false positive in the console; the relays'
/// own DNS-blocklist refusals (bad, when enabled); otherwise unlabelled, taken as good. Rules and relays
/// are not always right and not every bad sender trips one, so the labels are noisy on purpose: the
/// model learns the shape of what they catch and ranks what they miss.
/// </summary>
public sealed class LabelBook
{
    /// <summary>An unlabelled sender in a campaign of new addresses: neither learnt nor measured on.</summary>
    private static readonly SenderLabel Uncertain = new(false, "campaign", Learnt: false);

    /// <summary>log1p(5): a campaign spans at least five networks, the snowshoe detector's <c>minNetworks</c>.</summary>
    private static readonly float CampaignNetworks = MathF.Log(1 + 5);

    private readonly IReadOnlyList<(IPNetwork Network, bool Bad)> analyst;
    private readonly IReadOnlyList<IPNetwork> allowlist;
    private readonly IReadOnlyDictionary<DateOnly, List<DayFinding>> findings;
    private readonly bool dnsbl;

    private LabelBook(
        IReadOnlyList<(IPNetwork, bool)> analyst, IReadOnlyList<IPNetwork> allowlist,
        IReadOnlyDictionary<DateOnly, List<DayFinding>> findings, bool dnsbl)
    {
        this.analyst = analyst;
        this.allowlist = allowlist;
        this.findings = findings;
        this.dnsbl = dnsbl;
    }

    /// <summary>Reads the analysts' labels and the findings of the days from <paramref name="first"/> to <paramref name="last"/>, labelled by <see cref="FindingLabels.Table"/>.</summary>
    /// <exception cref="ArgumentException">An allowlist entry is not an address or a network.</exception>
    public static Task<LabelBook> LoadAsync(IClickHouseStore store, ScoringSettings settings, DateOnly first, DateOnly last, CancellationToken cancellationToken) =>
        LoadAsync(store, settings, first, last, FindingLabels.Table, cancellationToken);

    /// <summary>The same with another table of finding labels (evaluate measures the table against <see cref="FindingLabels.SubjectsOnly"/>).</summary>
    public static async Task<LabelBook> LoadAsync(
        IClickHouseStore store, ScoringSettings settings, DateOnly first, DateOnly last, IReadOnlyList<FindingLabelRule> table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var allowlist = settings.Allowlist.Select(a => Subjects.ParseNetwork(a)
            ?? throw new ArgumentException($"The scoring allowlist entry '{a}' is neither an IP address nor a CIDR network.")).ToList();
        // The most specific verdict wins: an address labelled good inside a network labelled bad is good.
        var analyst = (await AnalystLabels.InForceAsync(store, cancellationToken).ConfigureAwait(false))
            .Select(l => (Network: AnalystLabels.NetworkOf(l.Subject), Bad: l.Verdict == AnalystLabel.Bad))
            .OrderByDescending(l => l.Network.PrefixLength)
            .ToList();
        var dismissed = (await FindingDismissals.InForceAsync(store, first, last, cancellationToken).ConfigureAwait(false))
            .Select(d => (d.Day, d.Detector, d.Subject))
            .ToHashSet();
        var byDay = new Dictionary<DateOnly, List<DayFinding>>();
        foreach (var finding in await Finding.ReadAsync(store, first, last, cancellationToken).ConfigureAwait(false))
        {
            var (rule, networks) = FindingLabels.Apply(table, finding);
            if (networks.Count == 0)
            {
                continue;
            }

            if (!byDay.TryGetValue(finding.Day, out var list))
            {
                byDay[finding.Day] = list = [];
            }

            var falsePositive = dismissed.Contains((finding.Day, finding.Detector, finding.Subject));
            list.AddRange(networks.Select(n => new DayFinding(n, finding.Detector, rule.Bad, falsePositive)));
        }

        return new LabelBook(analyst, allowlist, byDay, settings.LabelDnsblRefusals);
    }

    public SenderLabel LabelOf(IpFeatureRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var address = IPAddress.Parse(row.Ip);
        foreach (var (network, bad) in analyst)
        {
            if (network.Contains(address))
            {
                return new SenderLabel(bad, "analyst");
            }
        }

        if (allowlist.Any(n => n.Contains(address)))
        {
            return new SenderLabel(false, "allowlist");
        }

        if (findings.TryGetValue(row.Day, out var day))
        {
            // A finding of abuse wins over an innocent-by-kind finding of the same sender the same day; a finding an
            // analyst dismissed names no abuse, and the analyst's word that it was none makes the sender good.
            var named = day.Where(f => f.Network.Contains(address)).ToList();
            if (named.FirstOrDefault(f => f.Bad && !f.Dismissed) is { Detector: { } detector })
            {
                return new SenderLabel(true, "finding:" + detector);
            }

            if (named.FirstOrDefault(f => f.Dismissed) is { Detector: { } dismissedBy })
            {
                return new SenderLabel(false, "dismissed:" + dismissedBy);
            }

            if (named.Count > 0)
            {
                return SenderLabel.InnocentByKind(named[0].Detector);
            }
        }

        if (dnsbl && row["dnsbl_ratio"] > 0)
        {
            return new SenderLabel(true, "dnsbl");
        }

        // An address no finding names, new to us, in a campaign of new addresses across many networks (a shared
        // naming template or sender pattern) is not taken as good: snowshoe is exactly that, and no rule may have
        // named it yet (the snowshoe detector needs a week of history). Learning it as good would teach the model
        // that campaigns are harmless; it is left out instead.
        return row["template_new_networks"] >= CampaignNetworks || row["sender_pattern_new_networks"] >= CampaignNetworks
            ? Uncertain
            : new SenderLabel(false, "unlabelled");
    }

    /// <summary>What one finding of a day says of the addresses in <paramref name="Network"/>.</summary>
    /// <param name="Dismissed">An analyst dismissed the finding as a false positive.</param>
    private readonly record struct DayFinding(IPNetwork Network, string Detector, bool Bad, bool Dismissed);
}
