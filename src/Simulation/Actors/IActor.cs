namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Someone whose mail the relays see: legitimate senders, or an attacker. Each day, an actor yields
/// its SMTP sessions in order of their start, each session's lines in time order; it records what it
/// did as ground truth.
/// </summary>
internal interface IActor
{
    IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day);

    /// <summary>The labelled ground truth of everything this actor did, once the simulation is over.</summary>
    IEnumerable<TruthRecord> Truth();
}
