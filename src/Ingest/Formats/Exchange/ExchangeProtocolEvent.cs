namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>A protocol log <c>event</c> (<c>+</c>, <c>-</c>, <c>&lt;</c>, <c>&gt;</c>, <c>*</c>): the column its kinds read, and the kinds, in order.</summary>
/// <param name="Column">The <c>#Fields:</c> name of the column the kinds' templates are matched against.</param>
internal sealed record ExchangeProtocolEvent(char Marker, string Column, ExchangeKind[] Kinds);
