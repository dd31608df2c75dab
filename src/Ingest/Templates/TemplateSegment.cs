namespace RelayWatch.Ingest.Templates;

/// <summary>One piece of a line template: literal text that must appear, or a field that captures text.</summary>
internal abstract record TemplateSegment;

/// <summary>Text that must appear exactly.</summary>
internal sealed record LiteralSegment(string Text) : TemplateSegment;

/// <summary>
/// A captured field. It ends where the next literal first appears (the shortest match), or at the
/// end of the line when it is last. <c>{_}</c> captures and discards.
/// </summary>
internal sealed record FieldSegment(string Name) : TemplateSegment
{
    public bool IsDiscarded => Name == "_";
}
