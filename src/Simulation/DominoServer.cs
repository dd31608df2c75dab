using System.Globalization;
using RelayWatch.Simulation.Actors;

namespace RelayWatch.Simulation;

/// <summary>
/// The Domino server behind the relays, as its console log tells it: the SMTP listener (port 2222)
/// taking the mail a relay hands on — connect, <c>Message … received</c> with the Message-ID the relay
/// logged, disconnect — or refusing a recipient the directory does not know; and the Router delivering
/// each recipient to a mail file, or transferring our users' outbound mail to a relay. Lines are in the
/// wording RelayWatch's Domino grammar reads (docs/operations.md says which of them are ours).
/// </summary>
internal sealed class DominoServer(string domain)
{
    /// <summary>The server's name: its console log is <c>logs/domino1/console.log</c>.</summary>
    public const string Name = "domino1";

    public const string Ip = "10.20.0.5";

    /// <summary>The Router's thread: one writes every Router line.</summary>
    private const int RouterThread = 0x1A;

    private readonly string organisation = char.ToUpperInvariant(domain[0]) + domain.Split('.')[0][1..];
    private int nextNote = 0x0003A000;

    public string Host { get; } = $"{Name}.{domain}";

    /// <summary>Where the relays hand inbound mail on, as Postfix logs the next hop.</summary>
    public string Hop => $"{Host}[{Ip}]:2222";

    /// <summary>A relay as the listener names it: its inside address (10.20.<i>site</i>.11) and name.</summary>
    public string RelayClient(string relay) =>
        $"{relay}.{domain} ({MxRouting.InsideAddress(relay)})";

    private static string RelayAddress(string client) => client[(client.IndexOf('(') + 1)..^1];

    /// <summary>
    /// The relay of <paramref name="session"/> hands a message on at <paramref name="at"/>: the listener
    /// takes it in one connection, and the Router delivers it to each recipient's mail file.
    /// </summary>
    public void Receive(SmtpSession session, DateTimeOffset at, Random random, string mailFrom, IReadOnlyList<string> recipients, string messageId, int size)
    {
        var thread = ListenerThread(random);
        var client = RelayClient(session.Relay);
        var note = NextNote();
        session.Console(Name, at.AddSeconds(-0.3), thread, $"SMTP Server: {client} connected");
        session.Console(Name, at.AddSeconds(-0.05), thread, string.Create(CultureInfo.InvariantCulture,
            $"SMTP Server: Message {note} (MessageID: <{messageId}>) received from {RelayAddress(client)} size {size} bytes"));
        session.Console(Name, at, thread, $"SMTP Server: {client} disconnected. 1 message[s] received");
        for (var i = 0; i < recipients.Count; i++)
        {
            session.Console(Name, at.AddSeconds(0.4 + (0.1 * i)), RouterThread, string.Create(CultureInfo.InvariantCulture,
                $"Router: Message {note} delivered to {DisplayName(recipients[i])} from {(mailFrom.Length > 0 ? mailFrom : "<>")} OID: {Oid(random)} Size: {(size + 1023) / 1024}K Time: 00:00:01 Hop Count: 1"));
        }
    }

    /// <summary>The relay tries to hand on mail for a recipient the directory does not know: the listener refuses it.</summary>
    public void Refuse(SmtpSession session, DateTimeOffset at, Random random, string recipient)
    {
        var thread = ListenerThread(random);
        var client = RelayClient(session.Relay);
        session.Console(Name, at.AddSeconds(-0.2), thread, $"SMTP Server: {client} connected");
        session.Console(Name, at.AddSeconds(-0.05), thread, $"SMTP Server: Recipient <{recipient}> rejected for {client}: 550 5.1.1 <{recipient}>... User unknown");
        session.Console(Name, at, thread, $"SMTP Server: {client} disconnected. 0 message[s] received");
    }

    /// <summary>The Router transfers a user's message to the relay of <paramref name="session"/>, which is about to connect.</summary>
    public void Transfer(SmtpSession session, DateTimeOffset at, Random random, string sender, string recipient, int size) =>
        session.Console(Name, at, RouterThread, string.Create(CultureInfo.InvariantCulture,
            $"Router: Message {NextNote()} transferred to {session.Relay}.{domain} for {recipient} from {DisplayName(sender)} OID: {Oid(random)} Size: {(size + 1023) / 1024}K via SMTP"));

    /// <summary>
    /// A client from the Internet reaches the listener directly (a firewall rule left open) and guesses
    /// passwords: Domino logs the connection, each failed login and the disconnect.
    /// </summary>
    /// <returns>The lines, and when the client left.</returns>
    public (IReadOnlyList<SimLine> Lines, DateTimeOffset End) PasswordGuesses(SimLog log, DateTimeOffset at, Random random, string clientIp, IReadOnlyList<string> users)
    {
        var thread = ListenerThread(random);
        var lines = new List<SimLine> { log.Console(Name, at, thread, $"SMTP Server: {clientIp} connected") };
        foreach (var user in users)
        {
            at = at.AddSeconds(1 + (2 * random.NextDouble()));
            lines.Add(log.Console(Name, at, thread, $"SMTP Server: Authentication failed for user {user} ; connecting host {clientIp}"));
        }

        at = at.AddSeconds(0.5);
        lines.Add(log.Console(Name, at, thread, $"SMTP Server: {clientIp} disconnected. 0 message[s] received"));
        return (lines, at);
    }

    /// <summary>A user as Notes names them: <c>alice.smith@ours.example</c> → <c>Alice Smith/Ours</c>.</summary>
    public string DisplayName(string address)
    {
        var local = address.Split('@')[0];
        return string.Join(' ', local.Split('.').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..])) + "/" + organisation;
    }

    private string NextNote()
    {
        nextNote += 4;
        return nextNote.ToString("X8", CultureInfo.InvariantCulture);
    }

    /// <summary>A listener thread; a thousand of them make two sessions at once on one thread rare enough.</summary>
    private static int ListenerThread(Random random) => 0x20 + random.Next(1000);

    private static string Oid(Random random) => string.Create(CultureInfo.InvariantCulture, $"C1258D2A:{random.Next():X8}");
}
