namespace RelayWatch.Ingest.Templates;

/// <summary>The fields a template captured from one line, read by name without allocating.</summary>
internal readonly ref struct LineFields(ReadOnlySpan<char> line, CompiledTemplate template, ReadOnlySpan<Range> captures)
{
    private readonly ReadOnlySpan<char> line = line;
    private readonly ReadOnlySpan<Range> captures = captures;

    /// <summary>The field's text, or empty when the template has no such field.</summary>
    public ReadOnlySpan<char> Get(string name)
    {
        var names = template.FieldNames;
        for (var i = 0; i < names.Count; i++)
        {
            if (ReferenceEquals(names[i], name) || names[i] == name)
            {
                return line[captures[i]];
            }
        }

        return [];
    }

    public bool Has(string name) => template.FieldNames.Contains(name);

    public string GetString(string name)
    {
        var value = Get(name);
        return value.IsEmpty ? string.Empty : value.ToString();
    }
}
