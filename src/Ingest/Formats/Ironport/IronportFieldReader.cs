using System.Globalization;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// <see cref="IronportGrammar"/>'s connection and verdict parsers read with spans, for the hot path (every
/// connection writes both). The grammar is the reference: a test checks that both read the sample's
/// lines, the corpora's and thousands of damaged copies of them alike.
/// </summary>
internal static class IronportFieldReader
{
    /// <summary><see cref="IronportGrammar.NewConnection"/>.</summary>
    public static bool TryReadNewConnection(ReadOnlySpan<char> text, out (long Icid, string Ip, string Host, bool Verified) connection)
    {
        connection = default;
        const string Start = "New SMTP ICID ", Interface = " interface ", AddressWord = " address ", Reverse = " reverse dns host ", Verified = " verified ";
        if (!text.StartsWith(Start) || !TryReadId(text, Start.Length, out var icid, out var at) || !text[at..].StartsWith(Interface))
        {
            return false;
        }

        var address = text[(at + Interface.Length)..].IndexOf(AddressWord, StringComparison.Ordinal);
        if (address < 0)
        {
            return false;
        }

        at += Interface.Length + address + AddressWord.Length;
        var ipEnd = at;
        while (ipEnd < text.Length && (char.IsAsciiHexDigit(text[ipEnd]) || text[ipEnd] is '.' or ':'))
        {
            ipEnd++;
        }

        if (ipEnd == at)
        {
            return false;
        }

        var ip = text[at..ipEnd].ToString();
        at = ipEnd;
        var host = string.Empty;
        if (text[at..].StartsWith(Reverse) && at + Reverse.Length < text.Length && text[at + Reverse.Length] != ' ')
        {
            var hostStart = at + Reverse.Length;
            var hostEnd = text[hostStart..].IndexOf(' ');
            hostEnd = hostEnd < 0 ? text.Length : hostStart + hostEnd;
            host = text[hostStart..hostEnd].ToString();
            at = hostEnd;
        }

        var verified = false;
        if (text[at..].StartsWith(Verified))
        {
            var wordStart = at + Verified.Length;
            var wordEnd = wordStart;
            while (wordEnd < text.Length && char.IsAsciiLetter(text[wordEnd]))
            {
                wordEnd++;
            }

            verified = wordEnd > wordStart && text[wordStart..wordEnd].SequenceEqual("yes");
        }

        connection = (icid, ip, host, verified);
        return true;
    }

    /// <summary><see cref="IronportGrammar.Verdict"/>.</summary>
    public static bool TryReadVerdict(ReadOnlySpan<char> text, out (long Icid, string Verdict, string Tail) verdict)
    {
        verdict = default;
        if (!text.StartsWith("ICID ") || !TryReadId(text, 5, out var icid, out var at) || at >= text.Length || text[at] != ' ')
        {
            return false;
        }

        var start = at + 1;
        var end = start;
        while (end < text.Length && text[end] is >= 'A' and <= 'Z')
        {
            end++;
        }

        if (end == start || (end < text.Length && text[end] != ' '))
        {
            return false;
        }

        verdict = (icid, text[start..end].ToString(), end < text.Length ? text[(end + 1)..].ToString() : string.Empty);
        return true;
    }

    /// <summary>Up to 18 digits at <paramref name="start"/>, as the grammar's ids.</summary>
    private static bool TryReadId(ReadOnlySpan<char> text, int start, out long id, out int end)
    {
        end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        id = 0;
        return end > start && end - start <= 18 && long.TryParse(text[start..end], NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}
