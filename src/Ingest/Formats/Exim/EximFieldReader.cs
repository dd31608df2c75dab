namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// <see cref="EximGrammar.Fields"/> read with spans, for the hot path: items separated by spaces, each
/// <c>Key=value</c> (<c>H=</c> a host specification, <c>F=</c> an angled address, others quoted or
/// bare) or a bare word. The grammar is the reference; a test checks that both read the corpora alike.
/// </summary>
internal static class EximFieldReader
{
    public static List<EximField> Read(ReadOnlySpan<char> text)
    {
        var fields = new List<EximField>();
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

            fields.Add(ReadItem(text, ref i));
        }

        return fields;
    }

    private static EximField ReadItem(ReadOnlySpan<char> text, ref int i)
    {
        var keyEnd = i;
        while (keyEnd < text.Length && (char.IsAsciiLetter(text[keyEnd]) || text[keyEnd] == '_'))
        {
            keyEnd++;
        }

        if (keyEnd > i && keyEnd < text.Length && text[keyEnd] == '=')
        {
            var key = text[i..keyEnd].ToString();
            var start = keyEnd + 1;
            if (TryValue(key, text, start, out var field, out var end) && (end == text.Length || char.IsWhiteSpace(text[end])))
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

        var word = new EximField(string.Empty, text[i..wordEnd].ToString());
        i = wordEnd;
        return word;
    }

    private static bool TryValue(string key, ReadOnlySpan<char> text, int start, out EximField field, out int end)
    {
        field = null!;
        end = start;
        switch (key)
        {
            case "H":
                if (!TryReadHost(text, start, out var host, out _, out end))
                {
                    return false;
                }

                field = new EximField(key, host.Ip, host);
                return true;
            case "F" when start < text.Length && text[start] == '<':
                var close = text[start..].IndexOf('>');
                if (close < 0)
                {
                    break;
                }

                end = start + close + 1;
                field = new EximField(key, text[(start + 1)..(end - 1)].ToString());
                return true;
            default:
                if (start < text.Length && text[start] == '"' && TryQuoted(text, start, out var value, out end))
                {
                    field = new EximField(key, value);
                    return true;
                }

                break;
        }

        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        field = new EximField(key, text[start..end].ToString());
        return key != "H";
    }

    private static bool TryQuoted(ReadOnlySpan<char> text, int start, out string value, out int end)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
            {
                builder.Append(text[i + 1]);
                i++;
            }
            else if (text[i] == '"')
            {
                value = builder.ToString();
                end = i + 1;
                return true;
            }
            else
            {
                builder.Append(text[i]);
            }
        }

        value = string.Empty;
        end = start;
        return false;
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
