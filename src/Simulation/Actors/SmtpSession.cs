using System.Globalization;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// One inbound SMTP session, told in Postfix's line kinds and written as the relay it reached logs it
/// (<see cref="IRelayWriter"/>), moving its clock along as it goes.
/// </summary>
internal sealed class SmtpSession
{
    private readonly List<SimLine> lines = [];
    private readonly SimLog log;
    private readonly int pid;
    private readonly string clientHost;
    private readonly string clientIp;
    private readonly string clientPort;
    private readonly string helo;
    private readonly string program;
    private readonly IRelayWriter writer;
    private DateTimeOffset now;

    /// <param name="attacker">Whether the client is an attacker, who favours the backup MX (<see cref="MxRouting"/>).</param>
    /// <param name="relay">The relay the client reaches when the recipient's domain has an MX of its own; else the estate's MX records decide.</param>
    public SmtpSession(SimLog log, int pid, string clientHost, string clientIp, string helo, DateTimeOffset start, string program = "postfix/smtpd", bool attacker = false, string? relay = null)
    {
        (this.log, this.pid, this.clientHost, this.clientIp, this.helo, this.program, now) = (log, pid, clientHost, clientIp, helo, program, start);
        Relay = log.Routing.RelayFor(start, clientIp, favoursBackup: attacker, only: relay);
        Tls = !attacker;
        // Postfix does not log the client's port; the MTAs that do get one that stays the same all session.
        clientPort = (1024 + (StableHash.Of32(string.Create(CultureInfo.InvariantCulture, $"{clientIp} {start.UtcTicks} {pid}")) % 64_000)).ToString(CultureInfo.InvariantCulture);
        writer = log.WriterFor(Relay, pid);
    }
    private int errors;
    private int rcpts;
    private int rejected;

    public IReadOnlyList<SimLine> Lines => lines;

    /// <summary>The relay the client reached (<see cref="MxRouting"/>).</summary>
    public string Relay { get; }

    /// <summary>Whether the client uses STARTTLS before MAIL FROM (the big senders all do, small ones not always, attackers' tools not).</summary>
    public bool Tls { get; init; }

    public DateTimeOffset Now => now;

    public SmtpSession Wait(double seconds)
    {
        now = now.AddSeconds(seconds);
        return this;
    }

    /// <summary>The client connects: whatever the relay does before its SMTP server takes the connection (postscreen), then the server's connect line.</summary>
    public void Connect()
    {
        var client = new Dictionary<string, string> { ["client_ip"] = clientIp, ["client_port"] = clientPort };
        now += writer.Admit(lines, now, program, client);
        Add("smtpd.connect", []);
    }

    public void RejectRcpt(string mailFrom, string rcptTo, string code, string dsn, string detail)
    {
        errors++;
        rcpts++;
        rejected++;
        Add("smtpd.reject", new()
        {
            ["queue_id"] = "NOQUEUE", ["stage"] = "RCPT", ["smtp_code"] = code, ["dsn"] = dsn, ["detail"] = detail,
            ["mail_from"] = mailFrom, ["rcpt_to"] = rcptTo, ["proto"] = "ESMTP", ["helo"] = helo,
        });
    }

    public void AcceptRcpt() => rcpts++;

    /// <summary>
    /// A harvester's guess at one of our addresses: accepted when <paramref name="localPart"/> is a mailbox of
    /// <paramref name="estate"/> (returned, the address it exposed), else refused as an unknown user.
    /// </summary>
    public string? Guess(Estate estate, string mailFrom, string localPart)
    {
        var address = $"{localPart}@{estate.Domain}";
        if (estate.IsUser(localPart))
        {
            AcceptRcpt();
            return address;
        }

        RejectRcpt(mailFrom, address, "550", "5.1.1", $"<{address}>: Recipient address rejected: User unknown in relay recipient table");
        return null;
    }

    public int Errors => errors;

    /// <summary>Whether the client logged in (SMTP AUTH) before sending: its disconnect counts the AUTH command.</summary>
    public bool Authenticated { get; private set; }

    /// <summary>
    /// Accepts a message: smtpd's client line; the caller writes what cleanup and qmgr do. The envelope
    /// is for the MTAs that log it here (Postfix names it later, in qmgr's line and each delivery's).
    /// </summary>
    public void Client(string queueId, string mailFrom, IReadOnlyList<string> recipients) =>
        Add("smtpd.client", new() { ["queue_id"] = queueId, ["mail_from"] = mailFrom, ["recipients"] = string.Join(",", recipients) });

    /// <summary>Accepts a message from a client that logged in as <paramref name="user"/> (AUTH PLAIN).</summary>
    public void AuthenticatedClient(string queueId, string user, string mailFrom, IReadOnlyList<string> recipients)
    {
        Authenticated = true;
        Add("smtpd.client_sasl", new()
        {
            ["queue_id"] = queueId, ["sasl_method"] = "PLAIN", ["sasl_user"] = user, ["mail_from"] = mailFrom, ["recipients"] = string.Join(",", recipients),
        });
    }

    public void Disconnect(bool withMessage)
    {
        // Postfix writes "rcpt=accepted/tried" when some were refused, and the plain count when none were.
        var rcpt = rejected == 0 ? rcpts.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{rcpts - rejected}/{rcpts}");
        var commands = rejected == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"/{(Tls ? 6 : 4) + rcpts}");
        var auth = Authenticated ? 1 : 0;
        var counts = withMessage
            ? string.Create(CultureInfo.InvariantCulture, $" ehlo={(Tls ? "2 starttls=1" : "1")}{(Authenticated ? " auth=1" : string.Empty)} mail=1 rcpt={rcpt} data=1 quit=1 commands={(Tls ? 6 : 4) + auth + rcpts - rejected}{commands}")
            : string.Create(CultureInfo.InvariantCulture, $" ehlo={(Tls ? "2 starttls=1" : "1")} mail=1 rcpt={rcpts - rejected}/{rcpts} quit=1 commands={(Tls ? 5 : 3) + rcpts - rejected}/{(Tls ? 5 : 3) + rcpts}");
        Add("smtpd.disconnect", new() { ["command_counts"] = counts });
    }

    /// <summary>Disconnects a session that only tried to log in, <paramref name="failures"/> times.</summary>
    public void DisconnectAfterAuth(int failures) =>
        Add("smtpd.disconnect", new() { ["command_counts"] = string.Create(CultureInfo.InvariantCulture, $" ehlo=1 auth=0/{failures} commands=1/{1 + failures}") });

    public void AuthFailure(string method) =>
        Add("smtpd.sasl_failed", new() { ["sasl_method"] = method, ["detail"] = "authentication failure" });

    /// <summary>
    /// The SPF policy service's verdict on the client and <paramref name="mailFrom"/> at RCPT, where the relay
    /// runs one: python policyd-spf in prepend mode behind Postfix (it adds the header and lets the mail
    /// through), logged as its README and the corpora show, e.g. <c>prepend Received-SPF: Pass (mailfrom)
    /// identity=mailfrom; client-ip=…; helo=…; envelope-from=…; receiver=…</c>. The other relays' MTAs
    /// write none here (Exim logs SPF only through a site's own <c>logwrite</c>; the appliance's and
    /// Exchange's SPF results are not read by ingest).
    /// </summary>
    /// <param name="result">The verdict as policyd-spf capitalises it: <c>Pass</c>, <c>Fail</c>, <c>Softfail</c>, <c>None</c>.</param>
    public void Spf(string result, string mailFrom, string rcptTo)
    {
        if (MxRouting.MtaOf(Relay) != RelayMta.Postfix)
        {
            return;
        }

        var comment = result == "Pass" ? "sender SPF authorized" : "mailfrom";
        lines.Add(log.Text(Relay, now, "policyd-spf", pid + 1, string.Create(CultureInfo.InvariantCulture,
            $"prepend Received-SPF: {result} ({comment}) identity=mailfrom; client-ip={clientIp}; helo={helo}; envelope-from={mailFrom}; receiver={rcptTo}")));
    }

    /// <summary>A line of an internal server's console log that this session caused (Domino taking the mail the relay hands on).</summary>
    public void Console(string server, DateTimeOffset time, int thread, string message) => lines.Add(log.Console(server, time, thread, message));

    public void Add(string kind, Dictionary<string, string> values, string? otherProgram = null, int? otherPid = null)
    {
        values.TryAdd("client_host", clientHost);
        values.TryAdd("client_ip", clientIp);
        // What only some MTAs log on every line: the port, the HELO, whether the session is encrypted.
        values.TryAdd("client_port", clientPort);
        values.TryAdd("helo", helo);
        values.TryAdd("tls", Tls ? "yes" : "no");
        writer.Write(lines, now, otherProgram ?? program, otherPid ?? pid, kind, values);
    }
}
