using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation.Tests.Support;

/// <summary>
/// Every kind of event a relay's writer translates, told once to one relay, whatever the MX records
/// would have sent there: a DNSBL-listed bot, a harvester refused for unknown users and for relaying,
/// a password guesser who drops the line, a service that logs in and sends (once delivered at once,
/// once refused for now by the far side and delivered on the next try), and a message the relay
/// takes, that the next hop refuses and that the relay bounces to its sender. The actors make some of
/// these only at some relays; this makes every writer say all of them.
/// </summary>
internal static class RelayScript
{
    public const string Bot = "198.19.1.2";
    public const string Harvester = "203.0.113.77";
    public const string Guesser = "198.51.100.66";
    public const string Service = "192.0.2.150";
    public const string Spammer = "192.0.2.235";
    public const string Sender = "kevin95@inbox.example.org";
    public const string Recipient = "x123456@legacy.ours.example";
    public const string Customer = "erin77@bigmail.example";

    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The files the relay wrote, each as the simulator writes it (header first), with their lines.</summary>
    public static IReadOnlyList<(string File, IReadOnlyList<string> Lines)> Write(string relay)
    {
        var log = new SimLog(new MxRouting(1, DateOnly.FromDateTime(Start.UtcDateTime), 1));
        var lines = new List<SimLine>();
        var at = Start;
        IRelayWriter writer = null!;
        Dictionary<string, string> client = [];
        void Session(string ip, string host, string helo, bool tls, int pid)
        {
            writer = log.WriterFor(relay, pid);
            client = new() { ["client_ip"] = ip, ["client_host"] = host, ["client_port"] = "40123", ["helo"] = helo, ["tls"] = tls ? "yes" : "no" };
            at = at.AddMinutes(10);
        }

        void Write(string kind, Dictionary<string, string> values, string program = "postfix/smtpd", int pid = 4101)
        {
            foreach (var (key, value) in client)
            {
                values.TryAdd(key, value);
            }

            writer.Write(lines, at, program, pid, kind, values);
            at = at.AddSeconds(0.2);
        }

        Session(Bot, "unknown", "win-desktop.local", tls: false, 30001);
        Write("postscreen.connect", new() { ["server_ip"] = "198.51.100.25", ["server_port"] = "25", ["listed_in"] = "zen.dnsbl.example" }, "postfix/postscreen", 1201);
        Write("postscreen.dnsbl", new() { ["dnsbl_rank"] = "3" }, "postfix/postscreen", 1201);
        Write("postscreen.reject", new()
        {
            ["stage"] = "RCPT", ["smtp_code"] = "550", ["dsn"] = "5.7.1", ["detail"] = $"Service unavailable; client [{Bot}] blocked using zen.dnsbl.example",
            ["mail_from"] = "promo@cheap-deals.example", ["rcpt_to"] = "carol.clark@ours.example", ["proto"] = "ESMTP", ["helo"] = "win-desktop.local",
        }, "postfix/postscreen", 1201);
        Write("postscreen.disconnect", [], "postfix/postscreen", 1201);

        Session(Harvester, "dyn-203-0-113-77.example.net", "harvest", tls: false, 4201);
        Write("smtpd.connect", []);
        foreach (var (to, detail, code) in new[]
        {
            ("admin@ours.example", "<admin@ours.example>: Recipient address rejected: User unknown in relay recipient table", "550"),
            ("info@ours.example", "<info@ours.example>: Recipient address rejected: User unknown in relay recipient table", "550"),
            ("user%elsewhere.example@ours.example", "<user%elsewhere.example@ours.example>: Relay access denied", "554"),
        })
        {
            Write("smtpd.reject", new() { ["queue_id"] = "NOQUEUE", ["stage"] = "RCPT", ["smtp_code"] = code, ["dsn"] = "5.1.1", ["detail"] = detail, ["mail_from"] = string.Empty, ["rcpt_to"] = to, ["proto"] = "ESMTP" });
        }

        Write("smtpd.disconnect", new() { ["command_counts"] = " ehlo=1 mail=1 rcpt=0/3 quit=1 commands=3/6" });

        Session(Guesser, "unknown", "User", tls: false, 55001);
        Write("smtpd.connect", [], "postfix/submission/smtpd");
        Write("smtpd.sasl_failed", new() { ["sasl_method"] = "LOGIN", ["detail"] = "authentication failure" }, "postfix/submission/smtpd");
        Write("smtpd.sasl_failed", new() { ["sasl_method"] = "LOGIN", ["detail"] = "authentication failure" }, "postfix/submission/smtpd");
        Write("smtpd.lost_connection", new() { ["stage"] = "AUTH" }, "postfix/submission/smtpd");

        Session(Service, "smtp.payroll-saas.example", "smtp.payroll-saas.example", tls: true, 30101);
        Write("smtpd.connect", [], "postfix/submission/smtpd");
        Accepted("B1C2D3E4F5", "payroll@ours.example", "alice.smith@ours.example", "payroll-saas", "postfix/submission/smtpd");
        Delivered("B1C2D3E4F5", "alice.smith@ours.example", "domino1.ours.example[10.20.0.5]:2222", "sent", "2.0.0", "250 Message accepted for delivery");
        Write("qmgr.removed", new() { ["queue_id"] = "B1C2D3E4F5" }, "postfix/qmgr", 900);

        // Mail the far side refuses for now, kept and delivered on the next try.
        Session(Service, "smtp.payroll-saas.example", "smtp.payroll-saas.example", tls: true, 30201);
        Write("smtpd.connect", [], "postfix/submission/smtpd");
        Accepted("C1D2E3F4A5", "payroll@ours.example", Customer, "payroll-saas", "postfix/submission/smtpd");
        Delivered("C1D2E3F4A5", Customer, "mx1.bigmail.example[192.0.2.100]:25", "deferred", "4.7.1", "host mx1.bigmail.example[192.0.2.100] said: 451 4.7.1 Please try again later (in reply to RCPT TO command)");
        at = at.AddMinutes(5);
        Write("qmgr.queued", new() { ["queue_id"] = "C1D2E3F4A5", ["mail_from"] = "payroll@ours.example", ["size"] = "4096", ["nrcpt"] = "1" }, "postfix/qmgr", 900);
        Delivered("C1D2E3F4A5", Customer, "mx1.bigmail.example[192.0.2.100]:25", "sent", "2.0.0", "250 2.0.0 OK 1a2b3c4d - gsmtp");
        Write("qmgr.removed", new() { ["queue_id"] = "C1D2E3F4A5" }, "postfix/qmgr", 900);

        Session(Spammer, "unknown", $"[{Spammer}]", tls: false, 47001);
        Write("smtpd.connect", []);
        Accepted("A1B2C3D4E5", Sender, Recipient, null, "postfix/smtpd");
        Delivered("A1B2C3D4E5", Recipient, "domino1.ours.example[10.20.0.5]:2222", "bounced", "5.1.1", $"host domino1.ours.example[10.20.0.5] said: 550 5.1.1 <{Recipient}>... User unknown (in reply to RCPT TO command)");
        Write("bounce.ndr", new() { ["queue_id"] = "A1B2C3D4E5", ["ndr_queue_id"] = "F6A7B8C9D0" }, "postfix/bounce", 4104);
        Write("qmgr.removed", new() { ["queue_id"] = "A1B2C3D4E5" }, "postfix/qmgr", 900);
        Write("cleanup.message_id", new() { ["queue_id"] = "F6A7B8C9D0", ["message_id"] = "20261124100001.F6A7B8C9D0@" + relay + ".ours.example" }, "postfix/cleanup", 4102);
        Write("qmgr.queued", new() { ["queue_id"] = "F6A7B8C9D0", ["mail_from"] = string.Empty, ["size"] = "4821", ["nrcpt"] = "1" }, "postfix/qmgr", 900);
        Delivered("F6A7B8C9D0", Sender, "mx.inbox.example.org[198.51.100.14]:25", "sent", "2.0.0", "250 2.0.0 Ok: queued");
        Write("qmgr.removed", new() { ["queue_id"] = "F6A7B8C9D0" }, "postfix/qmgr", 900);

        return [.. lines.OrderBy(l => l.Time).ThenBy(l => l.Order).GroupBy(SimLog.FileOf)
            .Select(file => (file.Key, (IReadOnlyList<string>)[.. SimLog.HeaderOf(file.First()), .. file.Select(SimLog.Format)]))];

        void Accepted(string queueId, string from, string to, string? user, string program)
        {
            var taken = new Dictionary<string, string> { ["queue_id"] = queueId, ["mail_from"] = from, ["recipients"] = to };
            if (user is null)
            {
                Write("smtpd.client", taken, program);
            }
            else
            {
                (taken["sasl_method"], taken["sasl_user"]) = ("PLAIN", user);
                Write("smtpd.client_sasl", taken, program);
            }

            Write("cleanup.message_id", new() { ["queue_id"] = queueId, ["message_id"] = $"4711.{queueId}@example.org" }, "postfix/cleanup", 4102);
            Write("qmgr.queued", new() { ["queue_id"] = queueId, ["mail_from"] = from, ["size"] = "4096", ["nrcpt"] = "1" }, "postfix/qmgr", 900);
            Write("smtpd.disconnect", new() { ["command_counts"] = " ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" }, program);
        }

        void Delivered(string queueId, string to, string hop, string status, string dsn, string detail) => Write("delivery", new()
        {
            ["queue_id"] = queueId, ["rcpt_to"] = to, ["next_hop"] = hop, ["delay"] = "0.8", ["delays"] = "0.3/0.01/0.2/0.3", ["dsn"] = dsn, ["status"] = status, ["detail"] = detail,
        }, "postfix/smtp", 4103);
    }
}
