namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// <see cref="SendmailGrammar.Fields"/> read with spans. The grammar is the reference: a test checks that
/// both read the corpora, the sample and damaged copies of them alike.
/// </summary>
internal static class SendmailFields
{
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
            var next = NextSeparator(text, valueStart);
            fields.Add(new KeyValuePair<string, string>(text[at..keyEnd].ToString(), text[valueStart..(next < 0 ? text.Length : next)].ToString()));
            if (next < 0)
            {
                return true;
            }

            at = next + 2;
        }
    }

    /// <summary>The first <c>", key="</c> from <paramref name="start"/>, or -1.</summary>
    private static int NextSeparator(ReadOnlySpan<char> text, int start)
    {
        for (var at = start; at + 1 < text.Length; at++)
        {
            if (text[at] == ',' && text[at + 1] == ' ')
            {
                var keyEnd = KeyEnd(text, at + 2);
                if (keyEnd > at + 2 && keyEnd < text.Length && text[keyEnd] == '=')
                {
                    return at;
                }
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
