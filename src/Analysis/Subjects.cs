using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Analysis;

/// <summary>Finding subjects and configured networks: an address or a CIDR, as one network.</summary>
internal static class Subjects
{
    /// <summary>A network such as <c>192.0.2.0/24</c>, or a single address as a /32 or /128; null when neither.</summary>
    public static IPNetwork? ParseNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
        : null;
}
