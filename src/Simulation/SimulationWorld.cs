namespace RelayWatch.Simulation;

/// <summary>Which world the simulator writes (docs/simulation.md, "Worlds").</summary>
public enum SimulationWorld
{
    /// <summary>
    /// The world as it was before issue 17: every attack cleanly apart from normal traffic. Kept so that
    /// figures can be compared with earlier ones, and for the committed sample.
    /// </summary>
    Classic,

    /// <summary>
    /// The classic world and, beside it, what makes detection hard: backscatter waves from innocent
    /// servers, messy legitimate senders, and attackers that look legitimate (snowshoe spam, very slow
    /// harvests, compromised accounts).
    /// </summary>
    Harder,
}
