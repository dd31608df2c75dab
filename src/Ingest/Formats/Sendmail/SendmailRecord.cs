namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>A record's fields (split by <see cref="SendmailFields"/>), read by name from the line without allocating.</summary>
internal readonly ref struct SendmailRecord(ReadOnlySpan<char> text, ReadOnlySpan<(Range Key, Range Value)> fields)
{
    private readonly ReadOnlySpan<char> text = text;
    private readonly ReadOnlySpan<(Range Key, Range Value)> fields = fields;

    /// <summary>The first field of that name, empty when none.</summary>
    public ReadOnlySpan<char> Get(string key)
    {
        foreach (var (name, value) in fields)
        {
            if (text[name].SequenceEqual(key))
            {
                return text[value];
            }
        }

        return [];
    }

    /// <summary>
    /// The last field of that name: Sendmail writes <c>relay=</c> last (on <c>from=</c>, <c>AUTH=server</c>,
    /// <c>STARTTLS=server</c> lines) or just before the reply that ends the line (ruleset refusals), so a
    /// <c>relay=</c> the client's words smuggled in (a bare Message-ID) comes before it.
    /// </summary>
    public ReadOnlySpan<char> Last(string key)
    {
        for (var i = fields.Length - 1; i >= 0; i--)
        {
            if (text[fields[i].Key].SequenceEqual(key))
            {
                return text[fields[i].Value];
            }
        }

        return [];
    }
}
