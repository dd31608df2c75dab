namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>How an item's value is written: bare (or an <c>F=</c> address without its angles), or quoted with escapes.</summary>
internal enum EximValueForm
{
    Bare,
    Quoted,
}

/// <summary>One item of a field list as positions in its text: a bare word has an empty key; <c>H=</c> carries its host.</summary>
internal readonly record struct EximFieldSpan(Range Key, Range Value, EximValueForm Form, EximHost? Host);

/// <summary>
/// A line's field list as <see cref="EximFieldReader"/> read it: the first item of a key is the one Exim
/// means, and its value becomes a string only when asked for.
/// </summary>
internal readonly ref struct EximFieldList(ReadOnlySpan<char> text, List<EximFieldSpan> items)
{
    private readonly ReadOnlySpan<char> text = text;

    /// <summary>The host of the first <c>H=</c>, or null.</summary>
    public EximHost? Host => Find("H") is { } index ? items[index].Host : null;

    /// <summary>The value of the first item with <paramref name="key"/>, or null when there is none.</summary>
    public string? Value(string key) => Find(key) is { } index ? ValueOf(items[index]) : null;

    /// <summary>Every item, as strings: what <see cref="EximGrammar.Fields"/> reads from the same text.</summary>
    public List<EximField> ToFields()
    {
        var fields = new List<EximField>(items.Count);
        foreach (var item in items)
        {
            fields.Add(new EximField(text[item.Key].ToString(), ValueOf(item), item.Host));
        }

        return fields;
    }

    private string ValueOf(EximFieldSpan item) =>
        item.Host?.Ip ?? (item.Form == EximValueForm.Quoted ? EximFieldReader.Unescape(text[item.Value]) : text[item.Value].ToString());

    private int? Find(string key)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (text[items[i].Key].SequenceEqual(key))
            {
                return i;
            }
        }

        return null;
    }
}
