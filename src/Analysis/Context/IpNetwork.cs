using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Analysis.Context;

/// <summary>
/// A network in CIDR form, held in the IPv6 space (an IPv4 network a.b.c.d/n is ::ffff:a.b.c.d/(96+n)), so
/// that networks of both families compare, nest and sort alike. Host bits are always zero.
/// </summary>
public readonly record struct IpNetwork(UInt128 Address, int PrefixLength) : IComparable<IpNetwork>
{
    /// <summary>Whether this is an IPv4 network (inside ::ffff:0:0/96).</summary>
    public bool IsIPv4 => PrefixLength >= 96 && (Address >> 32) == 0xFFFF;

    /// <summary>Parses "1.2.3.0/24" or "2001:db8::/32"; host bits must be zero, as the RIRs and MaxMind write them.</summary>
    public static bool TryParse(string text, out IpNetwork network, out string error)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"'{text}' is not a network in CIDR form (address/prefix length)";
            return false;
        }

        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            error = $"'{text}' is not a network in CIDR form (address/prefix length)";
            return false;
        }

        var ipv4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (length > (ipv4 ? 32 : 128))
        {
            error = $"'{text}' has a prefix length longer than its address";
            return false;
        }

        network = From(address, length);
        if (network.Address != ToNumber(address))
        {
            error = $"'{text}' has host bits set (the network is {network})";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>The network of <paramref name="address"/> with <paramref name="prefixLength"/> bits of its own family, host bits cleared.</summary>
    public static IpNetwork From(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var length = address.AddressFamily == AddressFamily.InterNetwork ? prefixLength + 96 : prefixLength;
        return new IpNetwork(ToNumber(address) & Mask(length), length);
    }

    /// <summary>The enclosing network one bit shorter; only for a prefix length above zero.</summary>
    public IpNetwork Parent() => new(Address & Mask(PrefixLength - 1), PrefixLength - 1);

    public int CompareTo(IpNetwork other)
    {
        var byAddress = Address.CompareTo(other.Address);
        return byAddress != 0 ? byAddress : PrefixLength.CompareTo(other.PrefixLength);
    }

    /// <summary>CIDR text: dotted IPv4 for IPv4 networks, compressed IPv6 otherwise.</summary>
    public override string ToString()
    {
        if (IsIPv4)
        {
            var v4 = (uint)(Address & uint.MaxValue);
            return string.Create(CultureInfo.InvariantCulture, $"{v4 >> 24}.{(v4 >> 16) & 255}.{(v4 >> 8) & 255}.{v4 & 255}/{PrefixLength - 96}");
        }

        var bytes = new byte[16];
        var value = Address;
        for (var i = 15; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 255);
            value >>= 8;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{new IPAddress(bytes)}/{PrefixLength}");
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        var bytes = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6().GetAddressBytes() : address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static UInt128 Mask(int length) => length == 0 ? 0 : UInt128.MaxValue << (128 - length);
}
