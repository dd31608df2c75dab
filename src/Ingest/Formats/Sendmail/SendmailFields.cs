namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// <see cref="SendmailGrammar.Fields"/> read with spans. The grammar is the reference: a test checks that
/// both read the corpora, the sample and damaged copies of them alike.
/// </summary>
internal static class SendmailFields
{
    /// <summary>
    /// Fields whose value is the rest of the line: the reply Sendmail sent (<c>reject=</c>, <c>stat=</c>), always
    /// its last field, and free text that may echo the client's words, <c>", key="</c> included.
    /// </summary>
    public static bool IsTail(ReadOnlySpan<char> key) => key.SequenceEqual("reject") || key.SequenceEqual("stat");

    public static bool TrySplit(ReadOnlySpan<char> text, List<KeyValuePair<string, string>> fields)
    {
        fields.Clear();
        var at = 0;
        while (true)
        {
            var keyEnd = KeyEnd(text, at);
            if (keyEnd == at || keyEnd >= text.Length || text[keyEnd] != '=')
            {
                return false;
            }

            var valueStart = keyEnd + 1;
            var next = IsTail(text[at..keyEnd]) ? -1 : NextSeparator(text, valueStart);
            fields.Add(new KeyValuePair<string, string>(text[at..keyEnd].ToString(), text[valueStart..(next < 0 ? text.Length : next)].ToString()));
            if (next < 0)
            {
                return true;
            }

            at = next + 2;
        }
    }

    /// <summary>Whether <paramref name="text"/> holds <c>", key="</c> outside its addresses and quoted strings.</summary>
    public static bool ContainsField(ReadOnlySpan<char> text, string key)
    {
        for (var at = 0; (at = NextSeparator(text, at)) >= 0; at += 2)
        {
            if (text[(at + 2)..].StartsWith(key + "=", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first <c>", key="</c> from <paramref name="start"/> that is not inside an address in angle brackets
    /// or a quoted string (the client's words: <c>arg1=&lt;"a, relay=x [192.0.2.44]"@b&gt;</c>), or -1.
    /// A bracket or quote that is never closed is an ordinary character.
    /// </summary>
    private static int NextSeparator(ReadOnlySpan<char> text, int start)
    {
        var at = start;
        while (at + 1 < text.Length)
        {
            if (QuotedText.End(text, at) is var end and > 0)
            {
                at = end;
            }
            else if (text[at] == ',' && text[at + 1] == ' ' && KeyEnd(text, at + 2) is var keyEnd && keyEnd > at + 2 && keyEnd < text.Length && text[keyEnd] == '=')
            {
                return at;
            }
            else
            {
                at++;
            }
        }

        return -1;
    }

    private static int KeyEnd(ReadOnlySpan<char> text, int start)
    {
        var end = start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }

        return end;
    }
}
