using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// One row of <see cref="EximLineKinds.ConnectionKinds"/> or <see cref="EximLineKinds.MessageKinds"/>: a
/// <see cref="LineKind"/> (name, template in Exim's wording, event) and how its captured fields are read.
/// </summary>
/// <param name="Tails">
/// For a kind whose template ends with <c>{client}</c>: the texts Exim writes after the client, each a kind
/// of its own; a tail matching none makes the line unrecognised. Null: any tail is the event's detail.
/// </param>
/// <param name="Code">The reply code the line implies when it quotes none (a refusal: 550, or 450 when temporary).</param>
internal sealed class EximLineKind(LineKind kind, EximReading reading, IReadOnlyList<LineKind>? tails = null, ushort code = 0)
{
    public LineKind Kind { get; } = kind;

    public EximReading Reading { get; } = reading;

    public IReadOnlyList<LineKind>? Tails { get; } = tails;

    public ushort Code { get; } = code;

    public string Name => Kind.Name;

    public static EximLineKind Skipped(string name, string template) => new(LineKind.Skipped(name, template), EximReading.Skipped);

    public override string ToString() => Name;
}
