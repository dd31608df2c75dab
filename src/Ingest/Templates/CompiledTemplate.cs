namespace RelayWatch.Ingest.Templates;

/// <summary>
/// A line template compiled for matching spans without allocating. Each field takes the shortest
/// text up to the next literal (no backtracking) outside the addresses and quoted strings the client
/// wrote (<see cref="Formats.QuotedText"/>), and a template without a trailing field must consume the whole line. Where a line kind has variants, each variant is its own template.
/// </summary>
internal sealed class CompiledTemplate
{
    private const int NoField = -2;
    private const int Discarded = -1;

    private readonly Step[] steps;

    public CompiledTemplate(string text)
    {
        Text = text;
        var names = new List<string>();
        var steps = new List<Step>();
        foreach (var segment in TemplateGrammar.ParseSegments(text))
        {
            switch (segment)
            {
                case LiteralSegment literal:
                    steps.Add(new Step(literal.Text, Discarded));
                    break;
                case FieldSegment { IsDiscarded: true }:
                    steps.Add(new Step(null, Discarded));
                    break;
                case FieldSegment field:
                    if (names.Contains(field.Name))
                    {
                        throw new FormatException($"The template \"{text}\" names the field {field.Name} twice.");
                    }

                    steps.Add(new Step(null, names.Count));
                    names.Add(field.Name);
                    break;
            }
        }

        this.steps = [.. steps];
        FieldNames = names;
        FirstLiteral = steps.Count > 0 && steps[0].Literal is { } first ? first : null;
    }

    public string Text { get; }

    /// <summary>The captured fields, in order; <see cref="TryMatch"/> fills ranges in this order.</summary>
    public IReadOnlyList<string> FieldNames { get; }

    /// <summary>The literal the line must start with, if the template starts with one (for quick dispatch).</summary>
    public string? FirstLiteral { get; }

    /// <summary>Matches the whole line; on success <paramref name="captures"/> holds each field's range.</summary>
    public bool TryMatch(ReadOnlySpan<char> line, Span<Range> captures)
    {
        var position = 0;
        var pendingField = NoField; // or Discarded, or the slot of the field to close at the next literal
        var pendingStart = 0;
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            if (step.Literal is null)
            {
                pendingField = step.Field;
                pendingStart = position;
                continue;
            }

            int found;
            if (pendingField == NoField)
            {
                found = line[position..].StartsWith(step.Literal, StringComparison.Ordinal) ? 0 : -1;
            }
            else if (i == steps.Length - 1)
            {
                // A literal that ends the template anchors at the end of the line, so the field before
                // it may contain that text too: "status=sent (250 2.0.0 from MTA(smtp:[…]:10025): queued)".
                found = line[position..].EndsWith(step.Literal, StringComparison.Ordinal) ? line.Length - position - step.Literal.Length : -1;
            }
            else
            {
                // Not inside an address or quoted string the client wrote: "<\"a; from=<x> to=<y>\"@b>: Relay access denied; from=<…".
                found = Formats.QuotedText.IndexOfOutside(line[position..], step.Literal);
            }

            if (found < 0)
            {
                return false;
            }

            if (pendingField >= 0)
            {
                captures[pendingField] = new Range(pendingStart, position + found);
            }

            position += found + step.Literal.Length;
            pendingField = NoField;
        }

        if (pendingField == NoField)
        {
            return position == line.Length;
        }

        if (pendingField >= 0)
        {
            captures[pendingField] = new Range(pendingStart, line.Length);
        }

        return true;
    }

    /// <summary>
    /// Writes a line of this kind: the literals, with each field's value from <paramref name="values"/>
    /// (<c>{_}</c> writes nothing). The inverse of <see cref="TryMatch"/>, used by the simulator.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var line = new System.Text.StringBuilder(Text.Length + 64);
        foreach (var step in steps)
        {
            if (step.Literal is not null)
            {
                line.Append(step.Literal);
            }
            else if (step.Field >= 0)
            {
                var name = FieldNames[step.Field];
                line.Append(values.TryGetValue(name, out var value)
                    ? value
                    : throw new ArgumentException($"The template \"{Text}\" needs a value for {name}.", nameof(values)));
            }
        }

        return line.ToString();
    }

    public override string ToString() => Text;

    /// <param name="Literal">Text to match, or null for a field.</param>
    /// <param name="Field">The field's capture slot, or -1 for a literal or a discarded field.</param>
    private readonly record struct Step(string? Literal, int Field);
}
