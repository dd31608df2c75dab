namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>Where a Domino console line names its client, read with <see cref="ClientAddress"/>'s strict rules.</summary>
internal static class DominoAddresses
{
    /// <summary>A connecting host that is the whole text (<c>ip</c>, <c>[ip]</c>, <c>name (ip)</c>), its address canonical; null when it names no address.</summary>
    public static DominoClient? Client(ReadOnlySpan<char> spec)
    {
        spec = spec.Trim();
        return DominoFieldReader.TryReadClient(spec, 0, out var client, out var end) && end == spec.Length ? Canonical(client) : null;
    }

    /// <summary>
    /// The first client named in brackets (<c>[ip]</c>) or after a name (<c>name (ip)</c>) in a line of text, outside
    /// addresses in angle brackets: those are the client's own words (<c>Recipient &lt;"[192.0.2.44]"@ours&gt; rejected for host (ip)</c>);
    /// else the first word that is an address (<c>Relaying from 203.0.113.45 to …</c>).
    /// </summary>
    public static DominoClient? FirstNamed(ReadOnlySpan<char> text) => FirstAddress(text) ?? FirstBareAddress(text);

    /// <summary><c>user U ; connecting host 203.0.113.9</c> (the word <c>user</c> is missing in some versions).</summary>
    public static bool TryReadUserAndHost(ReadOnlySpan<char> rest, out string user, out DominoClient client)
    {
        const string ConnectingHost = "; connecting host ";
        rest = rest.StartsWith("user ") ? rest[5..] : rest;
        // The user name is the client's text: the listener's own words are after the last "; connecting host ".
        var host = rest.LastIndexOf(ConnectingHost, StringComparison.Ordinal);
        user = host < 0 ? string.Empty : rest[..host].Trim().ToString();
        client = host < 0 ? null! : Client(rest[(host + ConnectingHost.Length)..])!;
        return client is not null;
    }

    /// <summary>The first address in angle brackets, or empty.</summary>
    public static string Angled(ReadOnlySpan<char> text)
    {
        var open = text.IndexOf('<');
        var close = open < 0 ? -1 : text[open..].IndexOf('>');
        return close < 0 ? string.Empty : text.Slice(open + 1, close - 1).ToString();
    }

    private static DominoClient? FirstAddress(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (text[offset..].IndexOfAny('[', '(', '<') is var found and >= 0)
        {
            var open = offset + found;
            if (text[open] == '<')
            {
                var closeAngle = text[open..].IndexOf('>');
                offset = closeAngle < 0 ? open + 1 : open + closeAngle + 1;
                continue;
            }

            var length = text[(open + 1)..].IndexOfAny(']', ')');
            if (length < 0)
            {
                return null;
            }

            if (ClientAddress.Canonical(text.Slice(open + 1, length)) is { } ip)
            {
                var before = text[..open].TrimEnd();
                var name = text[open] == '(' ? before[(before.LastIndexOf(' ') + 1)..].ToString() : string.Empty;
                return new DominoClient(name, ip);
            }

            offset = open + 1;
        }

        return null;
    }

    private static DominoClient? FirstBareAddress(ReadOnlySpan<char> text)
    {
        foreach (var range in text.Split(' '))
        {
            if (ClientAddress.Canonical(text[range].TrimEnd(',').TrimEnd(':')) is { } ip)
            {
                return new DominoClient(string.Empty, ip);
            }
        }

        return null;
    }

    /// <summary>The client with its address in canonical form (<see cref="ClientAddress"/>), or null when it names no address.</summary>
    public static DominoClient? Canonical(DominoClient client) =>
        ClientAddress.Canonical(client.Ip) is { } ip ? (ip == client.Ip ? client : client with { Ip = ip }) : null;
}
