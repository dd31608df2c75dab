using System.Globalization;
using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>
/// What joins Sendmail's lines: a connection is one process, so the client any of its lines names
/// (<c>relay=host [ip]</c>) is the client of its others; a message's lines share its queue id.
/// <para>
/// Sendmail names a refused recipient before the line that names the client (<c>from=</c>, written when the
/// envelope ends): such a refusal waits, and is released with the client as soon as a line of its queue id or
/// process names it — or, still without, when ten minutes of log have passed or ingest cuts the batch its line
/// is in (<see cref="ILogParser.TakeWaiting"/>), so nothing is held across a checkpoint.
/// </para>
/// </summary>
internal sealed class SendmailCorrelation
{
    /// <summary>How long a process's client is trusted to be the client of its later lines: a connection is short, and pids are reused.</summary>
    private static readonly TimeSpan SessionIdle = TimeSpan.FromMinutes(10);

    /// <summary>Refusals waiting at most: those of envelopes in flight, a few even under a harvest; the oldest goes first beyond it.</summary>
    private const int MaxWaiting = 1_000;

    private const int SweepEvery = 50_000;

    private readonly CorrelationMap<(string Relay, int Pid), ClientSession> sessions = new();
    private readonly CorrelationMap<(string Relay, string Qid), MessageState> messages = new();
    private readonly List<Waiting> waiting = [];
    private readonly List<SmtpEvent> released = [];
    private long linesSinceSweep;

    /// <summary>How long a message's state may sit idle before it is dropped.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromDays(7);

    public int WaitingEvents => waiting.Count;

    /// <summary>A line of <paramref name="now"/> came: old state goes, and refusals no line named within a session's time (or across a jump of the clock) are released as they are.</summary>
    public void Advance(DateTimeOffset now)
    {
        if (++linesSinceSweep >= SweepEvery)
        {
            linesSinceSweep = 0;
            sessions.Sweep(now - Horizon);
            messages.Sweep(now - Horizon);
        }

        while (waiting.Count > 0 && (now - waiting[0].Parts.Stamp.Timestamp).Duration() > SessionIdle)
        {
            released.Add(waiting[0].Parts.Make(null, null));
            waiting.RemoveAt(0);
        }
    }

    /// <summary>The message of the line's queue id (a fresh one, not kept, for a line without).</summary>
    public MessageState MessageOf(SendmailLineContext context) =>
        context.Qid is null ? new MessageState() : messages.GetOrAdd((context.Relay, context.Qid), context.Timestamp, static () => new MessageState());

    /// <summary>The process's session, started afresh when it names another client (a reused pid).</summary>
    public ClientSession Connect(SendmailLineContext context, (string Host, string Ip) client)
    {
        var key = (context.Relay, context.Pid);
        var session = sessions.Peek(key);
        if (session is null || session.Ip != client.Ip || context.Timestamp - session.LastSeen > SessionIdle)
        {
            session = new ClientSession(string.Create(CultureInfo.InvariantCulture, $"{context.Relay}/{context.Pid}/{context.Timestamp.ToUnixTimeMilliseconds():x}"), client.Ip, client.Host);
            sessions.Set(key, session);
        }

        session.LastSeen = context.Timestamp;
        return session;
    }

    /// <summary>The process's session, while it is recent enough to be this connection's.</summary>
    public ClientSession? SessionOf(SendmailLineContext context) =>
        sessions.Peek((context.Relay, context.Pid)) is { } session && context.Timestamp - session.LastSeen <= SessionIdle ? session : null;

    /// <summary>
    /// The client of a line's event: the one the line named, else its message's, else its process's; null while none is
    /// known. <paramref name="state"/> is the message of the line's queue id, when one is kept.
    /// </summary>
    public ClientSession? ClientOf(ClientSession? named, SendmailLineContext context, out MessageState? state)
    {
        state = context.Qid is null ? null : messages.Find((context.Relay, context.Qid), context.Timestamp);
        return named ?? (state is { ClientIp.Length: > 0 } known ? new ClientSession(known.SessionId, known.ClientIp, known.ClientHost) : SessionOf(context));
    }

    /// <summary>
    /// An event no line has named the client of yet: it waits for one (<see cref="Release"/>), or for its time or its batch
    /// to end; it is made then, once (<see cref="SendmailEventParts.Make"/>).
    /// </summary>
    public LineResult Wait(SendmailEventParts parts, string kind, SendmailLineContext context)
    {
        if (waiting.Count >= MaxWaiting)
        {
            released.Add(waiting[0].Parts.Make(null, null));
            waiting.RemoveAt(0);
        }

        waiting.Add(new Waiting(context.Stamp.File, context.Relay, context.Pid, context.Qid, parts));
        return new LineResult(LineOutcome.Event, kind, null);
    }

    /// <summary>A line named the client of a process (and of a message): what waited for it is complete.</summary>
    public void Release(SendmailLineContext context, ClientSession session, MessageState? state)
    {
        for (var i = 0; i < waiting.Count; i++)
        {
            var w = waiting[i];
            if (w.Relay == context.Relay && (w.Pid == context.Pid || (w.Qid is not null && w.Qid == context.Qid)))
            {
                released.Add(w.Parts.Make(session, state));
                waiting.RemoveAt(i--);
            }
        }
    }

    public IReadOnlyList<SmtpEvent> TakeReleased()
    {
        if (released.Count == 0)
        {
            return [];
        }

        var taken = released.ToList();
        released.Clear();
        return taken;
    }

    public IReadOnlyList<SmtpEvent> TakeWaiting(string file)
    {
        var taken = TakeReleased().ToList();
        taken.AddRange(waiting.Where(w => w.File == file).Select(w => w.Parts.Make(null, null)));
        waiting.RemoveAll(w => w.File == file);
        return taken;
    }

    /// <summary>A refusal waiting for its client: a value in the list, so waiting allocates nothing of its own.</summary>
    private readonly record struct Waiting(string File, string Relay, int Pid, string? Qid, SendmailEventParts Parts);
}
