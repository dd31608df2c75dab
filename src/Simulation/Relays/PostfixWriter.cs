namespace RelayWatch.Simulation.Relays;

/// <summary>Postfix: each event is the one line the grammar's template for its kind renders.</summary>
internal sealed class PostfixWriter(SimLog log, string relay) : IRelayWriter
{
    public void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values) =>
        lines.Add(log.Line(relay, time, program, pid, kind, values));
}
