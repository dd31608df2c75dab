namespace RelayWatch.Analysis.Context;

/// <summary>
/// Joins an ASN and a Country database, whose networks differ, into one set of networks that a longest-prefix
/// lookup (ClickHouse's <c>ip_trie</c>) answers exactly as the two would: every network of either gets the AS of
/// the ASN network that holds it and the country of the Country network that holds it. For an address, the
/// longest network of the union that holds it is at least as long as either database's own match, so the
/// holder of that network in each database is that database's match for the address.
/// </summary>
public static class NetworkContextMerge
{
    public static IReadOnlyList<NetworkContextRow> Merge(
        IReadOnlyDictionary<IpNetwork, (uint Asn, string Organisation)> asn, IReadOnlyDictionary<IpNetwork, string> country)
    {
        ArgumentNullException.ThrowIfNull(asn);
        ArgumentNullException.ThrowIfNull(country);
        var networks = new SortedSet<IpNetwork>(asn.Keys);
        networks.UnionWith(country.Keys);
        var rows = new List<NetworkContextRow>(networks.Count);
        foreach (var network in networks)
        {
            var (number, organisation) = Holder(asn, network, out var a) ? a : (0u, string.Empty);
            var code = Holder(country, network, out var c) ? c : string.Empty;
            rows.Add(new NetworkContextRow(network, number, organisation, code));
        }

        return rows;
    }

    /// <summary>The value of the network in <paramref name="map"/> that equals or holds <paramref name="network"/>.</summary>
    private static bool Holder<T>(IReadOnlyDictionary<IpNetwork, T> map, IpNetwork network, out T value)
    {
        for (var candidate = network; ; candidate = candidate.Parent())
        {
            if (map.TryGetValue(candidate, out value!))
            {
                return true;
            }

            if (candidate.PrefixLength == 0)
            {
                return false;
            }
        }
    }
}
