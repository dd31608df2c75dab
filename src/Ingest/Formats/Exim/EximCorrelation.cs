using System.Globalization;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// What Exim's lines share: an SMTP connection's lines a session id (by relay, client address and port,
/// from "SMTP connection from" to its close), a message's lines what its arrival said (by relay and
/// message id, until <c>Completed</c>). Entries idle for longer than <see cref="Horizon"/> are dropped.
/// </summary>
internal sealed class EximCorrelation
{
    // Keyed by tuples rather than joined strings, so a lookup makes no key.
    private readonly CorrelationMap<(string Relay, string Ip, string Port), Session> sessions = new();
    private readonly CorrelationMap<(string Relay, string Id), MessageState> messages = new();

    /// <summary>How long correlation state may sit idle before it is dropped. Default 7 days (Exim's usual retry horizon for a frozen message is longer; a day's mail is correlated long before).</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromDays(7);

    public int OpenSessions => sessions.Count;

    public int OpenMessages => messages.Count;

    /// <summary>A new session for the client's connection, replacing any before it on that address and port; its id.</summary>
    public string Open(EventStamp stamp, EximHost host, string port)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{stamp.Relay}/{host.Ip}/{port}/{stamp.Timestamp.ToUnixTimeMilliseconds():x}");
        sessions.Set((stamp.Relay, host.Ip, port), new Session(id, host) { LastSeen = stamp.Timestamp });
        return id;
    }

    public void Close(EventStamp stamp, EximHost host, string port) => sessions.Remove((stamp.Relay, host.Ip, port));

    public Session? Find(EventStamp stamp, EximHost host, string port) => sessions.Find((stamp.Relay, host.Ip, port), stamp.Timestamp);

    /// <summary>The message's state, made when this is its first line.</summary>
    public MessageState Message(EventStamp stamp, string id) => messages.GetOrAdd((stamp.Relay, id), stamp.Timestamp, static () => new MessageState());

    /// <summary>The message's state when one is kept.</summary>
    public MessageState? FindMessage(EventStamp stamp, string id) => messages.Find((stamp.Relay, id), stamp.Timestamp);

    public void Complete(EventStamp stamp, string id) => messages.Remove((stamp.Relay, id));

    public void Sweep(DateTimeOffset now)
    {
        sessions.Sweep(now - Horizon);
        messages.Sweep(now - Horizon);
    }

    internal sealed class Session(string id, EximHost host) : ICorrelationState
    {
        public string Id { get; } = id;

        public EximHost Host { get; } = host;

        public DateTimeOffset LastSeen { get; set; }
    }
}
