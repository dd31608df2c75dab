namespace RelayWatch.Ingest.Formats;

/// <summary>
/// Where the client's words end in a log line: an address in angle brackets (<c>&lt;"a, relay=x"@b&gt;</c>) and a
/// quoted string (<c>"a; from=&lt;x&gt;"</c>) are text the client chose, which MTAs log without escaping, so
/// the field syntax inside them is not the MTA's. Readers skip over them when they look for the MTA's own
/// separators. A bracket or quote that is never closed is an ordinary character.
/// </summary>
internal static class QuotedText
{
    /// <summary>Just past the <c>&gt;</c> closing the <c>&lt;</c> at <paramref name="open"/> (quoted strings inside are opaque), or -1.</summary>
    public static int AngledEnd(ReadOnlySpan<char> text, int open)
    {
        var at = open + 1;
        while (at < text.Length)
        {
            if (text[at] == '>')
            {
                return at + 1;
            }

            at = text[at] == '"' && QuotedEnd(text, at) is var quoted and > 0 ? quoted : at + 1;
        }

        return -1;
    }

    /// <summary>Just past the <c>"</c> closing the one at <paramref name="open"/> (a backslash escapes the next character), or -1.</summary>
    public static int QuotedEnd(ReadOnlySpan<char> text, int open)
    {
        var at = open + 1;
        while (at < text.Length)
        {
            if (text[at] == '\\')
            {
                if (at + 1 >= text.Length)
                {
                    return -1;
                }

                at += 2;
            }
            else if (text[at] == '"')
            {
                return at + 1;
            }
            else
            {
                at++;
            }
        }

        return -1;
    }

    /// <summary>Just past the bracketed address or quoted string that starts at <paramref name="at"/>, or -1 when none does.</summary>
    public static int End(ReadOnlySpan<char> text, int at) => text[at] switch
    {
        '<' => AngledEnd(text, at),
        '"' => QuotedEnd(text, at),
        _ => -1,
    };

    /// <summary>
    /// The first <paramref name="literal"/> in <paramref name="text"/> outside the client's words; the first one
    /// anywhere when every one is inside them (a line with an unbalanced address still reads as before).
    /// </summary>
    public static int IndexOfOutside(ReadOnlySpan<char> text, string literal)
    {
        var found = text.IndexOf(literal, StringComparison.Ordinal);
        if (found <= 0 || text[..found].IndexOfAny('<', '"') < 0)
        {
            return found;
        }

        // Only where the literal might start or the client's words might begin is worth a look.
        var at = 0;
        while (at <= text.Length - literal.Length && text[at..].IndexOfAny(literal[0], '<', '"') is var next and >= 0)
        {
            at += next;
            if (text[at..].StartsWith(literal, StringComparison.Ordinal))
            {
                return at;
            }

            at = End(text, at) is var end and > 0 ? end : at + 1;
        }

        return found;
    }
}
