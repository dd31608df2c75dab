using System.Globalization;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// <see cref="DominoGrammar"/>'s client, "message received" and Router parsers read with spans, for the
/// hot path (Sprache's <c>Until</c> tries the stop word at every character). The grammar is the
/// reference: a test checks that both read the sample's lines, and thousands of damaged copies of
/// them, alike.
/// </summary>
internal static class DominoFieldReader
{
    /// <summary><see cref="DominoGrammar.Client"/> at <paramref name="start"/>: <c>[ip]</c>, <c>name (ip)</c> or a bare address.</summary>
    public static bool TryReadClient(ReadOnlySpan<char> text, int start, out DominoClient client, out int end)
    {
        client = null!;
        end = start;
        if (start < text.Length && text[start] == '[')
        {
            var close = AddressRun(text, start + 1);
            if (close == start + 1 || close >= text.Length || text[close] != ']')
            {
                return false;
            }

            client = new DominoClient(string.Empty, text[(start + 1)..close].ToString());
            end = close + 1;
            return true;
        }

        var nameEnd = start;
        while (nameEnd < text.Length && !char.IsWhiteSpace(text[nameEnd]) && text[nameEnd] is not ('(' or ')' or '[' or ']'))
        {
            nameEnd++;
        }

        if (nameEnd > start && text[nameEnd..].StartsWith(" ("))
        {
            var close = AddressRun(text, nameEnd + 2);
            if (close > nameEnd + 2 && close < text.Length && text[close] == ')')
            {
                client = new DominoClient(text[start..nameEnd].ToString(), text[(nameEnd + 2)..close].ToString());
                end = close + 1;
                return true;
            }
        }

        var addressEnd = AddressRun(text, start);
        if (addressEnd == start)
        {
            return false;
        }

        client = new DominoClient(string.Empty, text[start..addressEnd].ToString());
        end = addressEnd;
        return true;
    }

    /// <summary><see cref="DominoGrammar.MessageReceived"/>.</summary>
    public static bool TryReadReceived(ReadOnlySpan<char> text, out (string NoteId, string MessageId, DominoClient? Client, ulong Size) received)
    {
        received = default;
        const string Open = " (MessageID: ", Close = ") received", From = " from ";
        if (!text.StartsWith("Message ") || !IsNoteId(text, 8) || !text[16..].StartsWith(Open))
        {
            return false;
        }

        // The Message-ID is the sender's text: the listener's own words are after the last ") received".
        var idStart = 16 + Open.Length;
        var close = text[idStart..].LastIndexOf(Close, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        var at = idStart + close + Close.Length;
        var messageId = text.Slice(idStart, close).Trim("<>").ToString();
        if (at == text.Length)
        {
            received = (text.Slice(8, 8).ToString(), messageId, null, 0);
            return true;
        }

        if (!text[at..].StartsWith(From) || !TryReadClient(text, at + From.Length, out var client, out at))
        {
            return false;
        }

        var size = 0UL;
        if (text[at..].StartsWith(" size ") && TryReadCount(text, at + 6, out var count, out var afterCount))
        {
            size = count;
            at = afterCount;
        }

        if (at < text.Length && text[at] != ' ')
        {
            return false;
        }

        received = (text.Slice(8, 8).ToString(), messageId, client, size);
        return true;
    }

    /// <summary>One of <see cref="DominoGrammar.Delivered"/>, <see cref="DominoGrammar.Transferred"/> and <see cref="DominoGrammar.NotTransferred"/>, tried in that order.</summary>
    public static bool TryReadRouter(ReadOnlySpan<char> text, out RouterLine line, out RouterVerb verb)
    {
        line = null!;
        verb = default;
        if (!text.StartsWith("Message ") || !IsNoteId(text, 8))
        {
            return false;
        }

        var note = text.Slice(8, 8).ToString();
        var at = 16;
        if (text[at..].StartsWith(", ") && IsNoteId(text, at + 2))
        {
            at += 10;
        }

        if (at >= text.Length || text[at] != ' ')
        {
            return false;
        }

        var rest = text[(at + 1)..];
        if (rest.StartsWith("delivered to ") && TryReadDelivered(rest["delivered to ".Length..], note, out line))
        {
            verb = RouterVerb.Delivered;
            return true;
        }

        if (rest.StartsWith("transferred to ") && TryReadTransferred(rest["transferred to ".Length..], note, out line))
        {
            verb = RouterVerb.Transferred;
            return true;
        }

        if (rest.StartsWith("NOT transferred via ") && TryReadNotTransferred(rest["NOT transferred via ".Length..], note, out line))
        {
            verb = RouterVerb.NotTransferred;
            return true;
        }

        return false;
    }

    private static bool TryReadDelivered(ReadOnlySpan<char> text, string note, out RouterLine line)
    {
        line = null!;
        var from = text.IndexOf(" from ", StringComparison.Ordinal);
        if (from < 0)
        {
            return false;
        }

        var recipient = text[..from].ToString();
        var (sender, at) = Sender(text, from + " from ".Length);
        at = SkipOid(text, at);
        var size = Size(text, ref at);
        line = new RouterLine(note, recipient, sender, string.Empty, size, string.Empty);
        return true;
    }

    private static bool TryReadTransferred(ReadOnlySpan<char> text, string note, out RouterLine line)
    {
        line = null!;
        var forAt = text.IndexOf(" for ", StringComparison.Ordinal);
        var from = forAt < 0 ? -1 : text[(forAt + " for ".Length)..].IndexOf(" from ", StringComparison.Ordinal);
        if (from < 0)
        {
            return false;
        }

        from += forAt + " for ".Length;
        var (sender, at) = Sender(text, from + " from ".Length);
        at = SkipOid(text, at);
        var size = Size(text, ref at);
        var via = text[at..].StartsWith(" via ") ? "via " + text[(at + " via ".Length)..].ToString() : string.Empty;
        line = new RouterLine(note, text[(forAt + " for ".Length)..from].ToString(), sender, text[..forAt].ToString(), size, via);
        return true;
    }

    private static bool TryReadNotTransferred(ReadOnlySpan<char> text, string note, out RouterLine line)
    {
        line = null!;
        var protocolEnd = text.IndexOf(' ');
        if (protocolEnd <= 0 || !text[protocolEnd..].StartsWith(" to "))
        {
            return false;
        }

        var hopStart = protocolEnd + " to ".Length;
        var forAt = text[hopStart..].IndexOf(" for ", StringComparison.Ordinal);
        if (forAt < 0)
        {
            return false;
        }

        forAt += hopStart;
        var from = text[(forAt + " for ".Length)..].IndexOf(" from ", StringComparison.Ordinal);
        if (from < 0)
        {
            return false;
        }

        from += forAt + " for ".Length;
        var (sender, at) = Sender(text, from + " from ".Length);
        var size = Size(text, ref at);
        line = new RouterLine(note, text[(forAt + " for ".Length)..from].ToString(), sender, text[hopStart..forAt].ToString(), size, text[at..].Trim().ToString());
        return true;
    }

    /// <summary>The sender from <paramref name="start"/> to the first <c> OID:</c> or <c> Size:</c> (or the end), trimmed, and where it ends.</summary>
    private static (string Sender, int End) Sender(ReadOnlySpan<char> text, int start)
    {
        var rest = text[start..];
        var oid = rest.IndexOf(" OID:", StringComparison.Ordinal);
        var size = rest.IndexOf(" Size:", StringComparison.Ordinal);
        var length = oid < 0 ? size : size < 0 ? oid : Math.Min(oid, size);
        length = length < 0 ? rest.Length : length;
        return (rest[..length].Trim().ToString(), start + length);
    }

    /// <summary>Past <c> OID: …</c> up to the next <c> Size:</c> (or the end), when the text at <paramref name="at"/> is one.</summary>
    private static int SkipOid(ReadOnlySpan<char> text, int at)
    {
        if (!text[at..].StartsWith(" OID:"))
        {
            return at;
        }

        var size = text[(at + 5)..].IndexOf(" Size:", StringComparison.Ordinal);
        return size < 0 ? text.Length : at + 5 + size;
    }

    /// <summary><c> Size: 5K</c> at <paramref name="at"/> in bytes, moving past it; 0 when there is none.</summary>
    private static ulong Size(ReadOnlySpan<char> text, ref int at)
    {
        if (!text[at..].StartsWith(" Size: ") || !TryReadCount(text, at + " Size: ".Length, out var kilobytes, out var end) || end >= text.Length || text[end] != 'K')
        {
            return 0;
        }

        at = end + 1;
        return kilobytes * 1024;
    }

    /// <summary>Up to 15 digits, as <c>DominoGrammar.Count</c> reads them (a longer run is no count).</summary>
    private static bool TryReadCount(ReadOnlySpan<char> text, int start, out ulong value, out int end)
    {
        end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        value = 0;
        return end > start && end - start <= 15 && ulong.TryParse(text[start..end], NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static bool IsNoteId(ReadOnlySpan<char> text, int start)
    {
        if (start + 8 > text.Length)
        {
            return false;
        }

        foreach (var c in text.Slice(start, 8))
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int AddressRun(ReadOnlySpan<char> text, int start)
    {
        var at = start;
        while (at < text.Length && (char.IsAsciiHexDigit(text[at]) || text[at] is '.' or ':'))
        {
            at++;
        }

        return at;
    }
}

/// <summary>What a Router line says happened to a message.</summary>
internal enum RouterVerb
{
    Delivered,
    Transferred,
    NotTransferred,
}
