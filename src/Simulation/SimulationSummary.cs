namespace RelayWatch.Simulation;

/// <summary>What a simulation wrote: lines per log file, and the number of labelled truth records.</summary>
public sealed record SimulationSummary(string Output, IReadOnlyDictionary<string, long> LinesByFile, int TruthRecords, TimeSpan Elapsed)
{
    /// <summary>The most lines ever held in memory at once: what bounds the simulator's memory, whatever the days.</summary>
    public int MaxLinesInFlight { get; init; }
}
