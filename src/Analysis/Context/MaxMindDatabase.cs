using System.Net.Sockets;
using MaxMind.Db;

namespace RelayWatch.Analysis.Context;

/// <summary>
/// Reads every network of a MaxMind-format database (GeoLite2 / GeoIP2 ASN or Country, <c>.mmdb</c>) through
/// <c>MaxMind.Db</c>'s network iterator.
/// </summary>
public static class MaxMindDatabase
{
    /// <summary>Network → (AS number, organisation) from an ASN database.</summary>
    public static Dictionary<IpNetwork, (uint Asn, string Organisation)> ReadAsn(string path)
    {
        var networks = new Dictionary<IpNetwork, (uint, string)>();
        foreach (var (network, data) in Networks(path, "an ASN database"))
        {
            var asn = data.TryGetValue("autonomous_system_number", out var number) ? Convert.ToUInt32(number, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var organisation = data.TryGetValue("autonomous_system_organization", out var name) ? name as string ?? string.Empty : string.Empty;
            if (asn != 0 || organisation.Length > 0)
            {
                networks[network] = (asn, organisation);
            }
        }

        return networks;
    }

    /// <summary>Network → ISO country code from a Country (or City) database: where the network is, else where it is registered.</summary>
    public static Dictionary<IpNetwork, string> ReadCountry(string path)
    {
        var networks = new Dictionary<IpNetwork, string>();
        foreach (var (network, data) in Networks(path, "a Country database"))
        {
            var code = IsoCode(data, "country") ?? IsoCode(data, "registered_country");
            if (code is not null)
            {
                networks[network] = code;
            }
        }

        return networks;
    }

    private static string? IsoCode(Dictionary<string, object> data, string key) =>
        data.TryGetValue(key, out var value) && value is Dictionary<string, object> country
            && country.TryGetValue("iso_code", out var code) && code is string { Length: 2 } text
            ? text.ToUpperInvariant()
            : null;

    private static IEnumerable<(IpNetwork Network, Dictionary<string, object> Data)> Networks(string path, string what)
    {
        Reader reader;
        try
        {
            reader = new Reader(path, FileAccessMode.Memory);
        }
        catch (InvalidDatabaseException e)
        {
            throw new FormatException($"{path} is not a MaxMind database ({what} was expected): {e.Message}", e);
        }

        using (reader)
        {
            var seen = new HashSet<IpNetwork>();
            foreach (var node in reader.FindAll<Dictionary<string, object>>())
            {
                // An IPv6 database keeps its IPv4 networks at ::/96 and reaches them again through aliases
                // (::ffff:0:0/96, 2002::/16 for 6to4): each is taken once, in its IPv4 form, and 6to4 is left out.
                var network = IpNetwork.From(node.Start, node.PrefixLength);
                if (node.Start.AddressFamily == AddressFamily.InterNetworkV6 && network.PrefixLength >= 96 && network.Address >> 32 == 0)
                {
                    network = new IpNetwork(network.Address | ((UInt128)0xFFFF << 32), network.PrefixLength);
                }
                else if (network.PrefixLength >= 16 && network.Address >> 112 == 0x2002)
                {
                    continue;
                }

                if (seen.Add(network))
                {
                    yield return (network, node.Data);
                }
            }
        }
    }
}
