namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>A mail task of the console log: the kinds of line it writes, and why a line of it that is none of them is unrecognised.</summary>
internal sealed record DominoTask(DominoKind[] Kinds, string Unknown);
