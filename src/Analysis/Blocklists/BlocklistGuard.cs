using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>
/// What may never be listed, checked for every entry — automatic or by hand, when listing and again
/// when exporting (so a network allowlisted later drops out of the next export): anything wider than
/// the configured floor or, whatever the configuration says, than the hard floor (/16, /32); special
/// address space (private, loopback, link-local, multicast, reserved) unless explicitly allowed; our
/// relays' own addresses, always; and anything overlapping an allowlisted address or network — the
/// configured allowlist, our internal networks and mail servers, and the analysts' <c>allow</c>s.
/// </summary>
public sealed class BlocklistGuard
{
    /// <summary>The shortest IPv4 prefix any blocklist carries, whatever <see cref="BlocklistSettings.MinPrefixV4"/> says: a /16 is already 65,536 senders.</summary>
    public const int HardFloorV4 = 16;

    /// <summary>The shortest IPv6 prefix any blocklist carries, whatever <see cref="BlocklistSettings.MinPrefixV6"/> says: a /32 is a whole provider's allocation.</summary>
    public const int HardFloorV6 = 32;

    private static readonly IPNetwork[] Special =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
            "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
            // IPv4-compatible and NAT64 addresses stand for IPv4 senders behind them, never for one IPv6 sender.
            "::/96", "64:ff9b::/96",
        }.Select(IPNetwork.Parse),
    ];

    private readonly BlocklistSettings settings;
    private readonly IReadOnlyList<(IPNetwork Network, string Why)> allowed;

    private readonly IReadOnlyList<IPNetwork> relays;

    /// <param name="internalNetworks">Our own networks and mail servers (<see cref="Estate.OurEstate.InternalNetworks"/>).</param>
    /// <param name="relayAddresses">Our relays' own addresses, configured and seen in the logs (<see cref="Estate.OurEstate.RelayAddresses"/>).</param>
    /// <param name="analystAllowed">Subjects an analyst allowed (<c>blocklist allow</c>).</param>
    /// <exception cref="ArgumentException">A configured allowlist entry is not an address or network.</exception>
    public BlocklistGuard(BlocklistSettings settings, IEnumerable<string> internalNetworks, IEnumerable<string> relayAddresses, IEnumerable<string> analystAllowed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.settings = settings;
        relays = [.. relayAddresses.Select(Network).OfType<IPNetwork>()];
        allowed =
        [
            .. settings.Allowlist.Select(a => (Network(a) ?? throw new ArgumentException($"The blocklists allowlist entry '{a}' is neither an IP address nor a CIDR network."), "the configured allowlist")),
            .. internalNetworks.Select(Network).OfType<IPNetwork>().Select(n => (n, "our internal networks")),
            .. analystAllowed.Select(Network).OfType<IPNetwork>().Select(n => (n, "an analyst's allow")),
        ];
    }

    /// <summary>Why <paramref name="subject"/> must not be listed, in one sentence; null when it may.</summary>
    public string? WhyNot(string subject)
    {
        // Judged as published: an IPv4-mapped IPv6 subject (::ffff:198.18.0.0/112) is the IPv4 network it maps.
        if (Network(subject) is not { } network)
        {
            return $"'{subject}' is neither an IP address nor a network in CIDR notation.";
        }

        var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var hardFloor = v4 ? HardFloorV4 : HardFloorV6;
        if (network.PrefixLength < hardFloor)
        {
            return $"{subject} is wider than a /{hardFloor}, the shortest prefix any blocklist carries, whatever blocklists.minPrefixV{(v4 ? 4 : 6)} says.";
        }

        var floor = v4 ? settings.MinPrefixV4 : settings.MinPrefixV6;
        if (network.PrefixLength < floor)
        {
            return $"{subject} is wider than a /{floor}, the shortest prefix blocklists.minPrefixV{(v4 ? 4 : 6)} lets a blocklist carry.";
        }

        // Before special space, which a setting can open: nothing opens our own relays.
        foreach (var relay in relays)
        {
            if (Overlaps(relay, network))
            {
                return $"{subject} overlaps {relay}, an address of our own relays, which are never listed.";
            }
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

    private static IPNetwork? Network(string text) => Subjects.Canonical(text) is { } canonical ? Subjects.ParseNetwork(canonical) : null;

    private static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));
}
