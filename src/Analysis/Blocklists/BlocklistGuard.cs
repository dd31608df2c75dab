using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>
/// What may never be listed, checked for every entry — automatic or by hand, when listing and again
/// when exporting (so a network allowlisted later drops out of the next export): anything wider than
/// the configured floor, special address space (private, loopback, link-local, multicast, reserved)
/// unless explicitly allowed, and anything overlapping an allowlisted address or network — the
/// configured allowlist, our internal networks and mail servers, and the analysts' <c>allow</c>s.
/// </summary>
public sealed class BlocklistGuard
{
    private static readonly IPNetwork[] Special =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
            "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    private readonly BlocklistSettings settings;
    private readonly IReadOnlyList<(IPNetwork Network, string Why)> allowed;

    /// <param name="internalNetworks">Our own networks and mail servers (<see cref="Estate.OurEstate.InternalNetworks"/>).</param>
    /// <param name="analystAllowed">Subjects an analyst allowed (<c>blocklist allow</c>).</param>
    /// <exception cref="ArgumentException">A configured allowlist entry is not an address or network.</exception>
    public BlocklistGuard(BlocklistSettings settings, IEnumerable<string> internalNetworks, IEnumerable<string> analystAllowed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.settings = settings;
        allowed =
        [
            .. settings.Allowlist.Select(a => (Subjects.ParseNetwork(a) ?? throw new ArgumentException($"The blocklists allowlist entry '{a}' is neither an IP address nor a CIDR network."), "the configured allowlist")),
            .. internalNetworks.Select(Subjects.ParseNetwork).OfType<IPNetwork>().Select(n => (n, "our internal networks")),
            .. analystAllowed.Select(Subjects.ParseNetwork).OfType<IPNetwork>().Select(n => (n, "an analyst's allow")),
        ];
    }

    /// <summary>Why <paramref name="subject"/> must not be listed, in one sentence; null when it may.</summary>
    public string? WhyNot(string subject)
    {
        if (Subjects.ParseNetwork(subject) is not { } network)
        {
            return $"'{subject}' is neither an IP address nor a network in CIDR notation.";
        }

        var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var floor = v4 ? settings.MinPrefixV4 : settings.MinPrefixV6;
        if (network.PrefixLength < floor)
        {
            return $"{subject} is wider than a /{floor}, the shortest prefix blocklists.minPrefixV{(v4 ? 4 : 6)} lets a blocklist carry.";
        }

        foreach (var special in settings.AllowSpecialAddresses ? [] : Special)
        {
            if (Overlaps(special, network))
            {
                return $"{subject} lies in special address space ({special}: private, loopback, link-local, multicast or reserved), which is never listed unless blocklists.allowSpecialAddresses is set.";
            }
        }

        foreach (var (allowedNetwork, why) in allowed)
        {
            if (Overlaps(allowedNetwork, network))
            {
                return $"{subject} overlaps {allowedNetwork} from {why}, and allowlists always win.";
            }
        }

        return null;
    }

    private static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));
}
