using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>One row of <see cref="ExchangeLineKinds"/>: a kind of record, and what it does to the correlation.</summary>
internal sealed record ExchangeKind(LineKind Line, ExchangeStep Step);
