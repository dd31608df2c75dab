namespace RelayWatch.Ingest.Formats;

/// <summary>Envelope addresses as the MTAs write them in their text.</summary>
internal static class Envelope
{
    /// <summary>The address in the first angle brackets (<c>&lt;&gt;</c>, the null sender, is empty); the text itself, trimmed, when it has none.</summary>
    public static string Address(ReadOnlySpan<char> text)
    {
        var open = text.IndexOf('<');
        var close = open < 0 ? -1 : text[open..].IndexOf('>');
        return close < 0 ? text.Trim().ToString() : text.Slice(open + 1, close - 1).ToString();
    }

    /// <summary>
    /// <see cref="Address"/>, but the brackets close where the client's words end (<see cref="QuotedText.AngledEnd"/>):
    /// a quoted local part may hold a <c>&gt;</c> (<c>&lt;"a&gt; b"@c&gt;</c>) and is read whole. A bracket never closed
    /// outside quotes is read as <see cref="Address"/> reads it.
    /// </summary>
    public static string Bracketed(ReadOnlySpan<char> text)
    {
        var open = text.IndexOf('<');
        var end = open < 0 ? -1 : QuotedText.AngledEnd(text, open);
        return end < 0 ? Address(text) : text[(open + 1)..(end - 1)].ToString();
    }

    /// <summary>
    /// The addresses of a recipient list the MTA wrote on one line, split at <paramref name="separator"/> where it is
    /// the MTA's (outside an address in angle brackets and outside a quoted string: <c>&lt;"a,b"@c&gt;</c> and
    /// <c>"a;b"@c</c> are one address each), each read as <see cref="Bracketed"/> reads it; empty entries are left out.
    /// </summary>
    public static List<string> List(ReadOnlySpan<char> text, char separator)
    {
        var addresses = new List<string>();
        var start = 0;
        var at = 0;
        while (at <= text.Length)
        {
            if (at == text.Length || text[at] == separator)
            {
                if (text[start..at].Trim() is { IsEmpty: false } entry && Bracketed(entry) is { Length: > 0 } address)
                {
                    addresses.Add(address);
                }

                start = ++at;
            }
            else
            {
                at = QuotedText.End(text, at) is var end and > 0 ? end : at + 1;
            }
        }

        return addresses;
    }
}
