using System.Net;
using RelayWatch.Analysis.Detection;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Scoring;

/// <summary>Why a sender counts as bad or good for training, or is left out of it.</summary>
/// <param name="Source"><c>analyst</c>, <c>allowlist</c>, <c>finding:DETECTOR</c>, <c>dnsbl</c>, <c>bouncer</c> (left out), or <c>unlabelled</c> (assumed good).</param>
/// <param name="Learnt">False for a sender the model neither learns from nor is measured on: its traffic says nothing either way.</param>
public sealed record SenderLabel(bool Bad, string Source, bool Learnt = true)
{
    /// <summary>A server a backscatter finding names: innocent (never bad), but its bounce-shaped traffic is no example of good mail either.</summary>
    public static SenderLabel Bouncer { get; } = new(false, "bouncer", Learnt: false);
}

/// <summary>
/// The labels the model learns from, strongest first: an analyst's verdict; the configured allowlist
/// (good); a finding that names the address or its network that day (bad) — except a backscatter
/// finding, whose bouncing server is an innocent receiver of somebody else's forged spam: it is left
/// out of training, since learning it as bad would teach the model that bouncing servers attack us,
/// and learning it as good that one-recipient null-sender guesses are harmless; the relays' own DNS-blocklist
/// refusals (bad, when enabled); otherwise unlabelled, taken as good. Rules and relays are not always
/// right and not every bad sender trips one, so the labels are noisy on purpose: the model learns the
/// shape of what they catch and ranks what they miss.
/// </summary>
public sealed class LabelBook
{
    /// <summary>The detector whose subjects are never learnt as bad: servers that bounce mail that forged our domain.</summary>
    private const string BouncingIsNotAbuse = "backscatter";

    private readonly IReadOnlyList<(IPNetwork Network, bool Bad)> analyst;
    private readonly IReadOnlyList<IPNetwork> allowlist;
    private readonly IReadOnlyDictionary<DateOnly, List<(IPNetwork Network, string Detector)>> findings;
    private readonly bool dnsbl;

    private LabelBook(
        IReadOnlyList<(IPNetwork, bool)> analyst, IReadOnlyList<IPNetwork> allowlist,
        IReadOnlyDictionary<DateOnly, List<(IPNetwork, string)>> findings, bool dnsbl)
    {
        this.analyst = analyst;
        this.allowlist = allowlist;
        this.findings = findings;
        this.dnsbl = dnsbl;
    }

    /// <summary>Reads the analysts' labels and the findings of the days from <paramref name="first"/> to <paramref name="last"/>.</summary>
    /// <exception cref="ArgumentException">An allowlist entry is not an address or a network.</exception>
    public static async Task<LabelBook> LoadAsync(IClickHouseStore store, ScoringSettings settings, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var allowlist = settings.Allowlist.Select(a => Subjects.ParseNetwork(a)
            ?? throw new ArgumentException($"The scoring allowlist entry '{a}' is neither an IP address nor a CIDR network.")).ToList();
        // The most specific verdict wins: an address labelled good inside a network labelled bad is good.
        var analyst = (await AnalystLabels.InForceAsync(store, cancellationToken).ConfigureAwait(false))
            .Select(l => (Network: AnalystLabels.NetworkOf(l.Subject), Bad: l.Verdict == AnalystLabel.Bad))
            .OrderByDescending(l => l.Network.PrefixLength)
            .ToList();
        var byDay = new Dictionary<DateOnly, List<(IPNetwork, string)>>();
        foreach (var finding in await Finding.ReadAsync(store, first, last, cancellationToken).ConfigureAwait(false))
        {
            if (Subjects.ParseNetwork(finding.Subject) is { } network)
            {
                if (!byDay.TryGetValue(finding.Day, out var list))
                {
                    byDay[finding.Day] = list = [];
                }

                list.Add((network, finding.Detector));
            }
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
            // A finding of abuse wins over a backscatter finding of the same sender.
            var named = day.Where(f => f.Network.Contains(address)).Select(f => f.Detector).ToList();
            if (named.FirstOrDefault(d => d != BouncingIsNotAbuse) is { } detector)
            {
                return new SenderLabel(true, "finding:" + detector);
            }

            if (named.Count > 0)
            {
                return SenderLabel.Bouncer;
            }
        }

        return dnsbl && row["dnsbl_ratio"] > 0 ? new SenderLabel(true, "dnsbl") : new SenderLabel(false, "unlabelled");
    }
}
