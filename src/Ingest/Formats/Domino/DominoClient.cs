namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>A connecting host as Domino names it: <c>203.0.113.5</c>, <c>[203.0.113.5]</c> or <c>mx.example.net (203.0.113.5)</c>.</summary>
internal sealed record DominoClient(string Name, string Ip);
