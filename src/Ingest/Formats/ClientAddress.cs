using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Ingest.Formats;

/// <summary>
/// The one reader of client addresses in log text, used by every parser, so that a damaged or crafted
/// line can never blame an address it does not spell out. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// is far too lenient for that: it reads <c>"12"</c> as 0.0.0.12, <c>"192.0.2"</c> as 192.0.0.2 and
/// <c>"010.0.0.1"</c> as octal.
/// <list type="bullet">
/// <item>IPv4 only as four dotted decimals, each 0–255 without leading zeros (MTAs never write them; a
/// leading zero is the octal form some resolvers read). Nothing else: no fewer or more parts, no hex.</item>
/// <item>IPv6 per RFC 4291 (hex groups, one <c>::</c>, an embedded dotted quad held to the IPv4 rule), with
/// or without the <c>IPv6:</c> prefix of RFC 5321 address literals (Sendmail, Exim).</item>
/// <item>An IPv4-mapped address (<c>::ffff:192.0.2.1</c>, written by dual-stack listeners) is unmapped to the
/// IPv4 address: it is the same client, and analysts, findings and blocklists name it as IPv4.</item>
/// <item>A zone (<c>fe80::1%eth0</c>) is refused: it only qualifies link-local addresses, which are no
/// internet client, and <c>client_ip</c> cannot hold it.</item>
/// </list>
/// The canonical text is .NET's, which follows RFC 5952 for IPv6 (lower case, longest zero run as <c>::</c>).
/// </summary>
internal static class ClientAddress
{
    /// <summary>Reads text that is exactly one address (optionally <c>IPv6:</c>-prefixed).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[5..];
            if (text.IndexOf(':') < 0)
            {
                return false;
            }
        }

        if (text.IndexOf(':') < 0)
        {
            return TryParseIPv4(text, out address);
        }

        if (text.ContainsAnyExcept(IPv6Characters) || !TryParseIPv6(text, out var v6))
        {
            return false;
        }

        address = v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
        return true;
    }

    /// <summary>The canonical text of an address (<see cref="TryParse"/>), or null when the text is no address.</summary>
    public static string? Canonical(ReadOnlySpan<char> text)
    {
        // A dotted quad that passes the IPv4 rule is already canonical: no address to make and format again.
        Span<byte> bytes = stackalloc byte[4];
        if (text.IndexOf(':') < 0)
        {
            return TryReadIPv4(text, bytes) ? text.ToString() : null;
        }

        return TryParse(text, out var address) ? address.ToString() : null;
    }

    /// <summary>
    /// Reads an address followed by the port as MTAs write it: <c>[ip]:port</c> (postscreen, Exim,
    /// Exchange), <c>[ip].port</c> (Exim's <c>-oMa</c> form), or <c>ip:port</c> for IPv4 only (an IPv6
    /// address without brackets has no room for a port). A bare address or <c>[ip]</c> is read with no port.
    /// </summary>
    public static bool TryParseEndpoint(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address, out int port)
    {
        port = 0;
        address = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || !TryParse(text[1..close], out address))
            {
                return false;
            }

            var after = text[(close + 1)..];
            return after.IsEmpty || (after[0] is ':' or '.' && TryReadPort(after[1..], out port)) || Fail(ref address);
        }

        var colon = text.IndexOf(':');
        if (colon >= 0 && text.LastIndexOf(':') == colon && text[..colon].IndexOf('.') >= 0)
        {
            return (TryParseIPv4(text[..colon], out address) && TryReadPort(text[(colon + 1)..], out port)) || Fail(ref address);
        }

        return TryParse(text, out address);
    }

    private static bool Fail(ref IPAddress? address)
    {
        address = null;
        return false;
    }

    private static bool TryReadPort(ReadOnlySpan<char> text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535 && text.Length <= 5;

    private static bool TryParseIPv4(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address = TryReadIPv4(text, bytes) ? new IPAddress(bytes) : null;
        return address is not null;
    }

    /// <summary>Four dotted decimals, each 0–255 without leading zeros, into <paramref name="bytes"/>.</summary>
    private static bool TryReadIPv4(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        var part = 0;
        var at = 0;
        while (part < 4)
        {
            var start = at;
            var value = 0;
            while (at < text.Length && char.IsAsciiDigit(text[at]) && at - start < 3)
            {
                value = (value * 10) + (text[at] - '0');
                at++;
            }

            var digits = at - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            bytes[part++] = (byte)value;
            if (part < 4)
            {
                if (at >= text.Length || text[at] != '.')
                {
                    return false;
                }

                at++;
            }
        }

        return at == text.Length;
    }

    /// <summary>RFC 4291 text: .NET's reader, after holding an embedded dotted quad to the IPv4 rule (.NET reads <c>::1.2.3</c>).</summary>
    private static bool TryParseIPv6(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var lastColon = text.LastIndexOf(':');
        if (text[(lastColon + 1)..].IndexOf('.') >= 0 && !TryParseIPv4(text[(lastColon + 1)..], out _))
        {
            return false;
        }

        if (text.Length > 45 || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6 || parsed.ScopeId != 0)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> IPv6Characters = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF:.");
}
