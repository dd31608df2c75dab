using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>One kind of Domino console line: its <see cref="LineKind"/> (name, template in Domino's wording, event) and how it is read.</summary>
internal sealed record DominoKind(DominoReading Reading, LineKind Line);
