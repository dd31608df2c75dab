using System.Globalization;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// What joins a console log's lines: a connection's lines share the thread in the <c>[pid:tid]</c> prefix (without
/// one, sessions are keyed by the client's address, and two connections at once from one address are told apart
/// only by their order); a message's lines share its note id, which the listener and the Router both name.
/// State idle for longer than <see cref="Horizon"/> is dropped.
/// </summary>
internal sealed class DominoCorrelation
{
    private const int SweepEvery = 50_000;

    private readonly CorrelationMap<string, DominoSession> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, MessageState> messages = new(StringComparer.Ordinal);
    private long linesSinceSweep;

    public TimeSpan Horizon { get; set; } = TimeSpan.FromDays(7);

    public int OpenSessions => sessions.Count;

    public int OpenMessages => messages.Count;

    public void Advance(DateTimeOffset now)
    {
        if (++linesSinceSweep >= SweepEvery)
        {
            linesSinceSweep = 0;
            sessions.Sweep(now - Horizon);
            messages.Sweep(now - Horizon);
        }
    }

    /// <summary>A connection of <paramref name="client"/> starts on <paramref name="thread"/> (empty when the log names none).</summary>
    public void Start(string relay, string thread, DominoClient client, DateTimeOffset now)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{relay}/{(thread.Length > 0 ? thread : client.Ip)}/{now.ToUnixTimeMilliseconds():x}");
        sessions.Set(SessionKey(relay, thread, client.Ip), new DominoSession(id, client) { LastSeen = now });
    }

    public void End(string relay, string thread, string ip) => sessions.Remove(SessionKey(relay, thread, ip));

    /// <summary>The session a line belongs to: by its thread, else by the client's address.</summary>
    public DominoSession? SessionOf(string relay, string thread, string? ip, DateTimeOffset now) =>
        thread.Length > 0 ? sessions.Find(relay + "/" + thread, now)
        : ip is null ? null : sessions.Find(relay + "/" + ip, now);

    public MessageState Message(string relay, string note, DateTimeOffset now) => messages.GetOrAdd(relay + "/" + note, now, static () => new MessageState());

    public MessageState? FindMessage(string relay, string note, DateTimeOffset now) => messages.Find(relay + "/" + note, now);

    private static string SessionKey(string relay, string thread, string ip) => relay + "/" + (thread.Length > 0 ? thread : ip);
}
