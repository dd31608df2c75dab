namespace RelayWatch.Ingest.Formats;

/// <summary>Correlation state a parser keeps between lines: when a line last touched it.</summary>
internal interface ICorrelationState
{
    DateTimeOffset LastSeen { get; set; }
}
