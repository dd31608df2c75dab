using System.Globalization;
using RelayWatch.Ingest.Formats.Postfix;

namespace RelayWatch.Simulation;

/// <summary>
/// Makes Postfix log lines through the grammar's own templates (<see cref="PostfixGrammar"/>), so
/// what the simulator writes is what the ingest reads, in Postfix's wording.
/// </summary>
internal sealed class PostfixLogWriter(MxRouting routing)
{
    /// <summary>Which relay each session reaches.</summary>
    public MxRouting Routing => routing;

    private long order;

    public SimLine Line(string relay, DateTimeOffset time, string program, int pid, string kind, IReadOnlyDictionary<string, string> values) =>
        new(time, order++, relay, program, pid, PostfixGrammar.Kind(kind).Template.Render(values));


    /// <summary>The syslog line as rsyslog writes it with high-precision RFC 3339 stamps.</summary>
    public static string Format(SimLine line) =>
        string.Create(CultureInfo.InvariantCulture, $"{line.Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff}+00:00 {line.Relay} {line.Program}[{line.Pid}]: {line.Message}");
}
