namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// <see cref="SendmailGrammar.Fields"/> read with spans, as ranges into the line: nothing is allocated until a
/// reader asks for a value it keeps. The grammar is the reference: a test checks that both read the corpora, the
/// sample and damaged copies of them alike.
/// </summary>
internal static class SendmailFields
{
    private const string MayBeForged = "(may be forged)";

    private static readonly System.Buffers.SearchValues<char> Alphanumeric = System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly System.Buffers.SearchValues<char> SeparatorOrClientWords = System.Buffers.SearchValues.Create(",<\"");

    /// <summary>
    /// Fields whose value is the rest of the line: the reply Sendmail sent (<c>reject=</c>, <c>stat=</c>), always
    /// its last field, and free text that may echo the client's words, <c>", key="</c> included.
    /// </summary>
    public static bool IsTail(ReadOnlySpan<char> key) => key.SequenceEqual("reject") || key.SequenceEqual("stat");

    /// <summary>
    /// Splits a record into <paramref name="fields"/> (grown when a record has more), <paramref name="count"/> of
    /// them; false when the text is no field list.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<char> text, ref (Range Key, Range Value)[] fields, out int count)
    {
        count = 0;
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
            if (count == fields.Length)
            {
                Array.Resize(ref fields, fields.Length * 2);
            }

            fields[count++] = (new Range(at, keyEnd), new Range(valueStart, next < 0 ? text.Length : next));
            if (next < 0)
            {
                return true;
            }

            at = next + 2;
        }
    }

    /// <summary>The fields as key and value strings (for tests and tools; parsers read the ranges).</summary>
    public static bool TrySplit(ReadOnlySpan<char> text, List<KeyValuePair<string, string>> fields)
    {
        fields.Clear();
        var ranges = new (Range Key, Range Value)[8];
        if (!TrySplit(text, ref ranges, out var count))
        {
            return false;
        }

        foreach (var (key, value) in ranges.AsSpan(0, count))
        {
            fields.Add(new KeyValuePair<string, string>(text[key].ToString(), text[value].ToString()));
        }

        return true;
    }

    /// <summary>Whether <paramref name="text"/> holds <c>", key="</c> outside its addresses and quoted strings.</summary>
    public static bool ContainsField(ReadOnlySpan<char> text, string key)
    {
        for (var at = 0; (at = NextSeparator(text, at)) >= 0; at += 2)
        {
            var after = text[(at + 2)..];
            if (after.StartsWith(key, StringComparison.Ordinal) && after.Length > key.Length && after[key.Length] == '=')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first <c>", key="</c> from <paramref name="start"/> that is not inside an address in angle brackets
    /// or a quoted string (the client's words: <c>arg1=&lt;"a, relay=x [192.0.2.44]"@b&gt;</c>), or -1.
    /// A bracket or quote that is never closed is an ordinary character. Only a comma, a bracket or a quote
    /// can start either, so the search jumps between them.
    /// </summary>
    private static int NextSeparator(ReadOnlySpan<char> text, int start)
    {
        var at = start;
        while (at + 1 < text.Length)
        {
            var found = text[at..].IndexOfAny(SeparatorOrClientWords);
            if (found < 0)
            {
                return -1;
            }

            at += found;
            if (at + 1 >= text.Length)
            {
                return -1;
            }

            if (text[at] != ',')
            {
                at = QuotedText.End(text, at) is var end and > 0 ? end : at + 1;
            }
            else if (text[at + 1] == ' ' && KeyEnd(text, at + 2) is var keyEnd && keyEnd > at + 2 && keyEnd < text.Length && text[keyEnd] == '=')
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

    /// <summary>
    /// The client of a <c>relay=</c> value or of a <c>{client}</c>: <c>host [ip]</c>, <c>[ip]</c>, <c>host. [IPv6:addr]</c>,
    /// each perhaps followed by <c>(may be forged)</c>; null for a local or unreadable one. The address is the
    /// bracket that ends the value, which Sendmail writes itself: the name before it comes from the client's DNS.
    /// </summary>
    public static (string Host, string Ip)? Client(ReadOnlySpan<char> relay)
    {
        relay = relay.TrimEnd();
        relay = relay.EndsWith(MayBeForged) ? relay[..^MayBeForged.Length].TrimEnd() : relay;
        var open = relay.LastIndexOf('[');
        if (open < 0 || !relay.EndsWith("]") || ClientAddress.Canonical(relay[(open + 1)..^1]) is not { } ip)
        {
            return null;
        }

        var host = relay[..open].Trim().TrimEnd('.');
        return (host.Length > 0 && !host.SequenceEqual(ip) ? host.ToString() : "unknown", ip);
    }

    /// <summary>Takes the queue id a record starts with (<c>4AO9A0a1000123: </c>) off <paramref name="rest"/>; null for <c>NOQUEUE: </c> or none.</summary>
    public static string? QueueId(ref ReadOnlySpan<char> rest)
    {
        var colon = rest.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0 || !IsQueueId(rest[..colon]))
        {
            return null;
        }

        var qid = rest[..colon];
        rest = rest[(colon + 2)..];
        return qid.SequenceEqual("NOQUEUE") ? null : qid.ToString();
    }

    public static bool IsQueueId(ReadOnlySpan<char> text) => text.Length is >= 6 and <= 20 && !text.ContainsAnyExcept(Alphanumeric);

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
