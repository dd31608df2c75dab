namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// <see cref="EximGrammar.Fields"/> read with spans, for the hot path: items separated by spaces, each
/// <c>Key=value</c> (<c>H=</c> a host specification, <c>F=</c> an angled address, others quoted or
/// bare) or a bare word. An arrival lists a dozen items and the parser wants four, so an item is kept as
/// positions in its line and only the values asked for become strings; one reader per parser reuses its
/// list of items from line to line. The grammar is the reference; a test checks that both read the corpora alike.
/// </summary>
internal sealed class EximFieldReader
{
    private readonly List<EximFieldSpan> items = [];

    /// <summary>The items of <paramref name="text"/>, valid until the next call.</summary>
    public EximFieldList Read(ReadOnlySpan<char> text)
    {
        items.Clear();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                break;
            }

            items.Add(ReadItem(text, ref i));
        }

        return new EximFieldList(text, items);
    }

    private static EximFieldSpan ReadItem(ReadOnlySpan<char> text, ref int i)
    {
        var keyEnd = i;
        while (keyEnd < text.Length && (char.IsAsciiLetter(text[keyEnd]) || text[keyEnd] == '_'))
        {
            keyEnd++;
        }

        if (keyEnd > i && keyEnd < text.Length && text[keyEnd] == '=')
        {
            var key = new Range(i, keyEnd);
            if (TryValue(text, key, keyEnd + 1, out var field, out var end) && (end == text.Length || char.IsWhiteSpace(text[end])))
            {
                i = end;
                return field;
            }
        }

        var wordEnd = i;
        while (wordEnd < text.Length && !char.IsWhiteSpace(text[wordEnd]))
        {
            wordEnd++;
        }

        var word = new EximFieldSpan(new Range(i, i), new Range(i, wordEnd), EximValueForm.Bare, null);
        i = wordEnd;
        return word;
    }

    private static bool TryValue(ReadOnlySpan<char> text, Range key, int start, out EximFieldSpan field, out int end)
    {
        field = default;
        end = start;
        var isHost = text[key] is "H";
        if (isHost)
        {
            if (!TryReadHost(text, start, out var host, out _, out end))
            {
                return false;
            }

            field = new EximFieldSpan(key, new Range(start, end), EximValueForm.Bare, host);
            return true;
        }

        if (text[key] is "F" && start < text.Length && text[start] == '<')
        {
            var close = text[start..].IndexOf('>');
            if (close >= 0)
            {
                end = start + close + 1;
                field = new EximFieldSpan(key, new Range(start + 1, end - 1), EximValueForm.Bare, null);
                return true;
            }
        }
        else if (start < text.Length && text[start] == '"' && TryFindQuoteEnd(text, start, out end))
        {
            field = new EximFieldSpan(key, new Range(start + 1, end - 1), EximValueForm.Quoted, null);
            return true;
        }

        end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        field = new EximFieldSpan(key, new Range(start, end), EximValueForm.Bare, null);
        return true;
    }

    /// <summary>Where the quoted string opened at <paramref name="start"/> ends (after its closing quote); <c>\"</c> and <c>\\</c> are escapes.</summary>
    private static bool TryFindQuoteEnd(ReadOnlySpan<char> text, int start, out int end)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                end = i + 1;
                return true;
            }
        }

        end = start;
        return false;
    }

    /// <summary>A quoted value without its escapes.</summary>
    internal static string Unescape(ReadOnlySpan<char> quoted)
    {
        if (!quoted.Contains('\\'))
        {
            return quoted.ToString();
        }

        var builder = new System.Text.StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length && quoted[i + 1] is '"' or '\\')
            {
                i++;
            }

            builder.Append(quoted[i]);
        }

        return builder.ToString();
    }

    /// <summary><c>name (helo) [ip]:port</c> from <paramref name="start"/>, as <see cref="EximGrammar.Host"/> reads it; <paramref name="port"/> is empty when none is given.</summary>
    internal static bool TryReadHost(ReadOnlySpan<char> text, int start, out EximHost host, out string port, out int end)
    {
        host = null!;
        port = string.Empty;
        end = start;
        var i = start;
        var name = string.Empty;
        var helo = string.Empty;
        var nameEnd = i;
        while (nameEnd < text.Length && !char.IsWhiteSpace(text[nameEnd]) && text[nameEnd] is not ('(' or ')' or '[' or ']'))
        {
            nameEnd++;
        }

        if (nameEnd > i && nameEnd < text.Length && text[nameEnd] == ' ')
        {
            name = text[i..nameEnd].ToString();
            i = nameEnd + 1;
        }

        if (i < text.Length && text[i] == '(')
        {
            var close = text[(i + 1)..].IndexOf(')');
            if (close >= 0 && i + 1 + close + 1 < text.Length && text[i + 1 + close + 1] == ' ')
            {
                helo = text[(i + 1)..(i + 1 + close)].ToString();
                i = i + 1 + close + 2;
            }
        }

        if (i >= text.Length || text[i] != '[')
        {
            return false;
        }

        var addressEnd = i + 1;
        while (addressEnd < text.Length && (char.IsAsciiHexDigit(text[addressEnd]) || text[addressEnd] is '.' or ':'))
        {
            addressEnd++;
        }

        if (addressEnd == i + 1 || addressEnd >= text.Length || text[addressEnd] != ']')
        {
            return false;
        }

        if (ClientAddress.Canonical(text[(i + 1)..addressEnd]) is not { } ip)
        {
            return false;
        }

        end = addressEnd + 1;
        if (end + 1 < text.Length && text[end] == ':' && char.IsAsciiDigit(text[end + 1]))
        {
            var portStart = end + 1;
            end++;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            port = text[portStart..end].ToString();
        }

        host = new EximHost(name, helo, ip);
        return true;
    }

    /// <summary>Reads <c>name (helo) [ip]:port</c> from the start of <paramref name="spec"/>; null when it is not one.</summary>
    public static EximHost? ReadHost(ReadOnlySpan<char> spec, out string port, out int after) =>
        TryReadHost(spec, 0, out var host, out port, out after) ? host : null;

    /// <summary>The port of the first <c>[ip]:port</c> in a field list, or empty.</summary>
    public static string Port(ReadOnlySpan<char> text)
    {
        var close = text.IndexOf("]:", StringComparison.Ordinal);
        if (close < 0)
        {
            return string.Empty;
        }

        var digits = text[(close + 2)..];
        var length = 0;
        while (length < digits.Length && char.IsAsciiDigit(digits[length]))
        {
            length++;
        }

        return digits[..length].ToString();
    }

    /// <summary>Whether a connection is local: its specification names no bracketed address.</summary>
    public static bool IsLocal(ReadOnlySpan<char> spec) => !spec.Contains('[');
}
