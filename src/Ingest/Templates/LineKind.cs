namespace RelayWatch.Ingest.Templates;

/// <summary>
/// One kind of log line: a name for counting, the template its text follows, and the event it
/// records. <see cref="Event"/> is null for kinds that are recognised but carry nothing
/// RelayWatch stores (TLS handshakes, statistics): they count as skipped, never as unrecognised.
/// </summary>
/// <param name="Event">The event name, or a field whose value selects it through <see cref="EventByField"/>.</param>
internal sealed class LineKind(string name, string template, string? @event, IReadOnlyDictionary<string, string?>? eventByField = null, string? selectingField = null)
{
    public string Name { get; } = name;

    public CompiledTemplate Template { get; } = new(template);

    public string? Event { get; } = @event;

    /// <summary>When set, the value of <see cref="SelectingField"/> picks the event (a missing value means skipped).</summary>
    public IReadOnlyDictionary<string, string?>? EventByField { get; } = eventByField;

    public string? SelectingField { get; } = selectingField;

    public bool IsSkipped => Event is null && EventByField is null;

    /// <summary>A kind whose event depends on one field's value, e.g. <c>status=sent</c> → delivery.</summary>
    public static LineKind Selecting(string name, string template, string field, IReadOnlyDictionary<string, string?> events) =>
        new(name, template, null, events, field);

    /// <summary>A kind that is recognised and deliberately not stored.</summary>
    public static LineKind Skipped(string name, string template) => new(name, template, null);

    /// <summary>The event for a matched line, or null when this line is recognised but not stored.</summary>
    public string? EventFor(LineFields fields)
    {
        if (EventByField is null || SelectingField is null)
        {
            return Event;
        }

        var value = fields.Get(SelectingField);
        foreach (var (key, selected) in EventByField)
        {
            if (value.SequenceEqual(key))
            {
                return selected;
            }
        }

        return null;
    }
}
