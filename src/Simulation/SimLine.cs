namespace RelayWatch.Simulation;

/// <summary>One simulated log line: when, on which relay, from which program, and the message text.</summary>
/// <param name="Order">Ties between lines of the same instant keep their order of making.</param>
internal readonly record struct SimLine(DateTimeOffset Time, long Order, string Relay, string Program, int Pid, string Message);
