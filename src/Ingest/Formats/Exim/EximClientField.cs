namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// The client named by Exim's own <c>H=</c> field in a line that also quotes the client's words around
/// it (the command it sent, the input it sent too early) and inside it (its HELO). Those words may hold a
/// forged <c>" H=[ip]:port next input="</c> or <c>) [ip]:port (</c>, so every place where Exim's field could
/// stand is read whole: the host specification must fill the text between its two anchors exactly, the
/// HELO is whatever lies between <c>(</c> and the <c>) </c> before the address, and when two readings
/// name different addresses the line blames no one.
/// </summary>
internal static class EximClientField
{
    /// <summary>
    /// Reads the client of <c>H={spec}{end}</c> for every <c>H=</c> at which Exim's field may start
    /// (<paramref name="starts"/>, the literal before the host specification; only its first occurrence when
    /// <paramref name="firstOnly"/>, as where no text of the client's comes before it) and every later
    /// <paramref name="end"/> (or the line's end when none follows).
    /// </summary>
    /// <param name="at">Where the chosen <paramref name="starts"/> literal begins.</param>
    /// <returns>False when no reading names a client, or when two name different ones (<paramref name="ambiguous"/>).</returns>
    public static bool TryRead(ReadOnlySpan<char> text, string starts, bool firstOnly, string end, out EximHost host, out string port, out int at, out bool ambiguous)
    {
        (host, port, at, ambiguous) = (null!, string.Empty, -1, false);
        for (var start = text.IndexOf(starts, StringComparison.Ordinal); start >= 0; start = firstOnly ? -1 : NextIndex(text, starts, start))
        {
            var specStart = start + starts.Length;
            var found = false;
            for (var stop = text[specStart..].IndexOf(end, StringComparison.Ordinal); stop >= 0; stop = NextIndex(text[specStart..], end, stop))
            {
                found = true;
                Consider(text.Slice(specStart, stop), start, ref host, ref port, ref at, ref ambiguous);
            }

            if (!found)
            {
                Consider(text[specStart..], start, ref host, ref port, ref at, ref ambiguous);
            }
        }

        return host is not null && !ambiguous;
    }

    private static void Consider(ReadOnlySpan<char> spec, int start, ref EximHost host, ref string port, ref int at, ref bool ambiguous)
    {
        if (!TryReadWhole(spec, out var candidate, out var candidatePort))
        {
            return;
        }

        if (host is null)
        {
            (host, port, at) = (candidate, candidatePort, start);
        }
        else if (candidate.Ip != host.Ip)
        {
            ambiguous = true;
        }
    }

    /// <summary>
    /// <c>name (helo) [ip]:port</c>, then only Exim's own <c>I=[ip]:port</c> and <c>U=ident</c>, filling
    /// <paramref name="spec"/> exactly; each bracketed address that could be the client's is tried.
    /// </summary>
    private static bool TryReadWhole(ReadOnlySpan<char> spec, out EximHost host, out string port)
    {
        (host, port) = (null!, string.Empty);
        for (var open = spec.IndexOf('['); open >= 0; open = NextIndex(spec, "[", open))
        {
            var close = spec[open..].IndexOf(']');
            if (close < 0 || !Before(spec[..open], out var name, out var helo)
                || ClientAddress.Canonical(spec[(open + 1)..(open + close)]) is not { } ip)
            {
                continue;
            }

            var end = open + close + 1;
            var digits = end + 1;
            while (digits < spec.Length && spec[end] == ':' && char.IsAsciiDigit(spec[digits]))
            {
                digits++;
            }

            var portText = digits > end + 1 ? spec[(end + 1)..digits] : [];
            if (EximOwnFieldsOnly(spec[(end + portText.Length + (portText.IsEmpty ? 0 : 1))..]))
            {
                (host, port) = (new EximHost(name, helo, ip), portText.ToString());
                return true;
            }
        }

        return false;
    }

    /// <summary>What may stand before the address: nothing, <c>name </c>, <c>(helo) </c> or <c>name (helo) </c>.</summary>
    private static bool Before(ReadOnlySpan<char> text, out string name, out string helo)
    {
        (name, helo) = (string.Empty, string.Empty);
        if (text.IsEmpty)
        {
            return true;
        }

        if (!text.EndsWith(" "))
        {
            return false;
        }

        var nameEnd = text[0] == '(' ? 0 : text.IndexOf(' ');
        if (nameEnd > 0)
        {
            if (text[..nameEnd].IndexOfAny("()[]") >= 0)
            {
                return false;
            }

            name = text[..nameEnd].ToString();
            text = text[(nameEnd + 1)..];
        }

        if (text.IsEmpty)
        {
            return true;
        }

        if (text.Length < 3 || text[0] != '(' || !text.EndsWith(") "))
        {
            return false;
        }

        helo = text[1..^2].ToString();
        return true;
    }

    /// <summary>Nothing, or <c> I=[ip]:port</c> and/or <c> U=ident</c> (the ident is the client's text, and last).</summary>
    private static bool EximOwnFieldsOnly(ReadOnlySpan<char> rest)
    {
        if (rest.StartsWith(" I=["))
        {
            var close = rest.IndexOf(']');
            var next = rest[(close + 1)..].IndexOf(' ');
            rest = close < 0 ? " ?" : next < 0 ? [] : rest[(close + 1 + next)..];
        }

        return rest.IsEmpty || rest.StartsWith(" U=");
    }

    private static int NextIndex(ReadOnlySpan<char> text, string value, int after)
    {
        var next = text[(after + 1)..].IndexOf(value, StringComparison.Ordinal);
        return next < 0 ? -1 : after + 1 + next;
    }
}
