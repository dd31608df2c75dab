using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Analysis;

/// <summary>Finding subjects and configured networks: an address or a CIDR, as one network.</summary>
public static class Subjects
{
    /// <summary>A network such as <c>192.0.2.0/24</c>, or a single address as a /32 or /128; null when neither.</summary>
    public static IPNetwork? ParseNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
        : null;

    /// <summary>
    /// An address or network as RelayWatch writes it: <c>203.0.113.7</c>, <c>198.18.4.0/24</c>,
    /// <c>2001:db8:5a0b::/48</c> (a single address without its /32 or /128, an IPv4-mapped one as IPv4);
    /// null when the text is neither.
    /// </summary>
    public static string? Canonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ParseNetwork(text.Trim()) is not { } network)
        {
            return null;
        }

        var mapped = network.BaseAddress.IsIPv4MappedToIPv6;
        var address = mapped ? network.BaseAddress.MapToIPv4() : network.BaseAddress;
        var length = mapped ? network.PrefixLength - 96 : network.PrefixLength;
        return length >= (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) ? address.ToString() : new IPNetwork(address, length).ToString();
    }
}
