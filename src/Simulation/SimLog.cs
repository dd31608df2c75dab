using System.Globalization;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation;

/// <summary>
/// Makes the simulated estate's log lines and writes each as its host does: a Postfix relay's lines
/// through the grammar's own templates (<see cref="PostfixGrammar"/>), so what the simulator writes is
/// what the ingest reads, in Postfix's wording; an Exim relay's in Exim's (<see cref="EximWriter"/>);
/// a Cisco appliance's in AsyncOS's (<see cref="EsaWriter"/>); a Sendmail relay's in Sendmail's
/// (<see cref="SendmailWriter"/>, through syslog as Postfix's); an Exchange server's in its protocol and
/// message tracking logs (<see cref="ExchangeWriter"/>);
/// the Domino server's console lines as its console log writes them. Lines of one instant keep the
/// order they were made in.
/// </summary>
internal sealed class SimLog(MxRouting routing)
{
    /// <summary>The program name that marks a Domino console line (its pid is the listener or Router thread).</summary>
    public const string DominoConsole = "domino";

    /// <summary>Domino's process id on the simulated server, in every console line's <c>[pid:tid]</c>.</summary>
    private const int DominoPid = 0x4711;

    /// <summary>Which relay each session reaches.</summary>
    public MxRouting Routing => routing;

    private long order;

    /// <summary>How <paramref name="relay"/> logs a session: a writer for that session alone (<paramref name="sessionPid"/> is the process that serves it).</summary>
    public IRelayWriter WriterFor(string relay, int sessionPid) => MxRouting.MtaOf(relay) switch
    {
        RelayMta.Exim => new EximWriter(this, relay, sessionPid),
        RelayMta.Esa => new EsaWriter(this, relay, esaCounters.TryGetValue(relay, out var counters) ? counters : esaCounters[relay] = new EsaCounters()),
        RelayMta.Sendmail => new SendmailWriter(this, relay, sessionPid, sendmailSequences.TryGetValue(relay, out var sequence) ? sequence : sendmailSequences[relay] = new SendmailSequence()),
        RelayMta.Exchange => new ExchangeWriter(this, relay, exchangeCounters.TryGetValue(relay, out var ids) ? ids : exchangeCounters[relay] = new ExchangeCounters()),
        _ => new PostfixWriter(this, relay, PostscreenCache(relay)),
    };

    /// <summary>Each Cisco appliance's connection and message numbers.</summary>
    private readonly Dictionary<string, EsaCounters> esaCounters = new(StringComparer.Ordinal);

    /// <summary>Each Exchange server's session and message ids.</summary>
    private readonly Dictionary<string, ExchangeCounters> exchangeCounters = new(StringComparer.Ordinal);

    /// <summary>Each Sendmail relay's queue id sequence.</summary>
    private readonly Dictionary<string, SendmailSequence> sendmailSequences = new(StringComparer.Ordinal);

    /// <summary>Each Postfix relay's postscreen cache: the clients that have passed its tests before.</summary>
    private readonly Dictionary<string, HashSet<string>> postscreenCaches = new(StringComparer.Ordinal);

    private HashSet<string> PostscreenCache(string relay) =>
        postscreenCaches.TryGetValue(relay, out var cache) ? cache : postscreenCaches[relay] = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>A Postfix line of the given kind, rendered by the grammar's template.</summary>
    public SimLine Line(string relay, DateTimeOffset time, string program, int pid, string kind, IReadOnlyDictionary<string, string> values) =>
        new(time, order++, relay, program, pid, PostfixGrammar.Kind(kind).Template.Render(values));

    /// <summary>A line whose text is already made.</summary>
    public SimLine Text(string relay, DateTimeOffset time, string program, int pid, string message) =>
        new(time, order++, relay, program, pid, message);

    /// <summary>The file under the logs folder a line goes to: its host's log, or for Exchange the day's file of the log it belongs to.</summary>
    public static string FileOf(SimLine line) => line.Program switch
    {
        DominoConsole => Path.Combine(line.Relay, "console.log"),
        ExchangeWriter.ProtocolLog or ExchangeWriter.TrackingLog => Path.Combine(line.Relay, ExchangeWriter.FileName(line.Program, line.Time)),
        _ => Path.Combine(line.Relay, MxRouting.MtaOf(line.Relay).LogFile()),
    };

    /// <summary>How a file's lines end: Exchange, a Windows server, ends them with CRLF; the others with LF.</summary>
    public static string NewLineOf(SimLine first) => first.Program is ExchangeWriter.ProtocolLog or ExchangeWriter.TrackingLog ? "\r\n" : "\n";

    /// <summary>What a new file begins with before its first line (Exchange's <c>#Fields:</c> header and the lines before it).</summary>
    public static IEnumerable<string> HeaderOf(SimLine first) => first.Program is ExchangeWriter.ProtocolLog or ExchangeWriter.TrackingLog
        ? ExchangeWriter.Header(first.Program, first.Time)
        : [];

    /// <summary>A line of <paramref name="server"/>'s console log, written by thread <paramref name="thread"/>.</summary>
    public SimLine Console(string server, DateTimeOffset time, int thread, string message) =>
        new(time, order++, server, DominoConsole, thread, message);

    /// <summary>
    /// A line as its host writes it: a Postfix or Sendmail relay's as rsyslog does with high-precision
    /// RFC 3339 stamps; an Exim relay's as its mainlog does (milliseconds and pid, the server's clock
    /// on UTC); a Cisco appliance's as its own text mail log does (<c>Tue Nov 24 08:00:01 2026 Info: …</c>,
    /// the appliance's clock on UTC); an Exchange server's CSV record as its writer made it whole; a
    /// Domino console line with its <c>[pid:tid-native]</c> prefix and a day-first dotted date (the
    /// server's clock on UTC).
    /// </summary>
    public static string Format(SimLine line) => line.Program switch
    {
        DominoConsole => string.Create(CultureInfo.InvariantCulture, $"[{DominoPid:X6}:{line.Pid:X6}-00007F3A{line.Pid:X4}0700] {line.Time.UtcDateTime:dd.MM.yyyy HH:mm:ss}   {line.Message}"),
        EximWriter.Program => string.Create(CultureInfo.InvariantCulture, $"{line.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} [{line.Pid}] {line.Message}"),
        ExchangeWriter.ProtocolLog or ExchangeWriter.TrackingLog => line.Message,
        EsaWriter.Program => string.Create(CultureInfo.InvariantCulture, $"{line.Time.UtcDateTime:ddd MMM} {line.Time.UtcDateTime.Day,2} {line.Time.UtcDateTime:HH:mm:ss yyyy} Info: {line.Message}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{line.Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff}+00:00 {line.Relay} {line.Program}[{line.Pid}]: {line.Message}"),
    };
}
