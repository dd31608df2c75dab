using System.Globalization;

namespace RelayWatch.Simulation.Relays;

/// <summary>
/// Sendmail 8 as a relay (<c>sm-mta</c> through syslog) logs one SMTP session as it does by default:
/// nothing for the connection itself, but a DNSBL refusal at connection (<c>ruleset=check_relay, …,
/// reject=550 5.7.1 Rejected: … listed at …</c>, before any queue id), <c>STARTTLS=server</c>, each
/// refused recipient (<c>&lt;x&gt;... User unknown</c>, or <c>ruleset=check_rcpt, …, reject=550 5.7.1
/// &lt;x&gt;... Relaying denied</c>), <c>AUTH failure</c>, <c>AUTH=server</c> for a login, the envelope
/// once the message is taken (<c>from=&lt;…&gt;, size=…, class=0, nrcpts=…, msgid=…, proto=…,
/// daemon=MTA, relay=…</c>; <c>nrcpts=0</c> when every recipient was refused), each delivery
/// (<c>to=</c>, all the recipients one next hop took in one line, with <c>stat=Sent (…)</c> or the
/// failure), the DSN it sends (<c>qid: dsnqid: DSN: …</c>), and a connection that ends without mail
/// (<c>did not issue MAIL/EXPN/VRFY/ETRN</c>, <c>lost input channel</c>). Shapes as the OSSEC corpus
/// and our hand-written sample show them.
/// </summary>
/// <remarks>
/// Sendmail names a session's queue id when the connection is taken, and a new one for each further
/// transaction: <c>YMDhms</c> in base 60, a two-digit sequence and the process id. Deliveries are held
/// until the message is done, so that one line names every recipient of one next hop.
/// </remarks>
internal sealed class SendmailWriter(SimLog log, string relay, int sessionPid, SendmailSequence sequence) : IRelayWriter
{
    public const string Program = "sm-mta";

    /// <summary>
    /// The process that serves this connection. Sendmail forks a child per connection, and the kernel hands out
    /// process ids in turn, so a pid comes back only after tens of thousands of forks; the actors' own numbering
    /// (<paramref name="sessionPid"/>) repeats across actors within minutes, which on Sendmail — whose lines name
    /// their client only through their process — joined one client's refusals to another's connection.
    /// </summary>
    private readonly int process = sequence.NextProcess(sessionPid);

    private const string Base60 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

    private readonly Dictionary<string, Message> messages = new(StringComparer.Ordinal);
    private string queueId = string.Empty;
    private string client = string.Empty;
    private bool gone;

    /// <summary>Whether the client gave MAIL FROM in the current transaction (refusals are logged against it).</summary>
    private bool inTransaction;

    /// <summary>Whether any transaction was begun in the session.</summary>
    private bool mailGiven;

    /// <summary>The sender of the transaction whose recipients were all refused so far.</summary>
    private string? refusedFrom;

    /// <summary>The session's queue id is spent (a message was taken): the next MAIL FROM gets a new one.</summary>
    private bool spent;

    public TimeSpan Admit(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values) => TimeSpan.Zero;

    public void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values)
    {
        if (gone)
        {
            return;
        }

        void Line(string text, DateTimeOffset? at = null, int? linePid = null) => lines.Add(log.Text(relay, at ?? time, Program, linePid ?? process, text));
        switch (kind)
        {
            case "smtpd.connect" or "postscreen.connect":
                Connect(values, time, Line);
                break;
            case "postscreen.pregreet" or "postscreen.dnsbl":
                // A listed client was refused at connection (check_relay); greet_pause catches no one else here.
                break;
            case "smtpd.reject" or "postscreen.reject":
                Begin(values["mail_from"], time, Line);
                refusedFrom = values["mail_from"];
                var recipient = values["rcpt_to"];
                var detail = values["detail"];
                Line(detail.Contains("User unknown", StringComparison.Ordinal) ? $"{queueId}: <{recipient}>... User unknown"
                    : detail.Contains("Relay access denied", StringComparison.Ordinal) ? $"{queueId}: ruleset=check_rcpt, arg1=<{recipient}>, relay={client}, reject=550 5.7.1 <{recipient}>... Relaying denied"
                    : throw new InvalidOperationException($"The Sendmail writer has no wording for the refusal '{detail}'."));
                break;
            case "smtpd.sasl_failed":
                var guessed = GuessedUsers.For(values, time);
                Line($"{queueId}: AUTH failure ({values["sasl_method"]}): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user={guessed}, relay={client}");
                break;
            case "smtpd.client_sasl":
                Line($"{queueId}: AUTH=server, relay={client}, authid={values["sasl_user"]}, mech={values["sasl_method"]}, bits=0", time.AddSeconds(-0.2));
                Taken(values, time, Line);
                break;
            case "smtpd.client":
                Taken(values, time, Line);
                break;
            case "cleanup.message_id":
                messages[values["queue_id"]].MessageId = values["message_id"];
                break;
            case "qmgr.queued":
                Queued(values, Line);
                break;
            case "bounce.ndr":
                var bounced = messages[values["queue_id"]];
                var notice = NewQueueId(time, process + 1);
                messages[values["ndr_queue_id"]] = new Message(notice, false, null) { Notice = true, Taken = time };
                Line($"{bounced.QueueId}: {notice}: DSN: {bounced.FailedStat}", null, process + 1);
                break;
            case "delivery" or "delivery.orig_to":
                if (values["status"] is not ("sent" or "bounced" or "deferred"))
                {
                    throw new InvalidOperationException($"The Sendmail writer has no translation for a delivery {values["status"]}.");
                }

                var delivered = messages[values["queue_id"]];
                delivered.Deliveries.Add((time, values.GetValueOrDefault("orig_rcpt_to") ?? values["rcpt_to"], values["next_hop"], values["status"], values["dsn"], values["detail"], pid));
                if (values["status"] == "bounced")
                {
                    delivered.FailedStat = Stat(values["status"], values["detail"]);
                }

                break;
            case "qmgr.removed":
                Deliveries(messages[values["queue_id"]], Line);
                messages.Remove(values["queue_id"]);
                break;
            case "smtpd.disconnect" or "postscreen.disconnect":
                EndTransaction(Line);
                if (!mailGiven)
                {
                    Line($"{queueId}: {client} did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA");
                }

                break;
            case "smtpd.lost_connection" or "postscreen.hangup":
                var after = inTransaction ? "rcpt" : "ehlo";
                EndTransaction(Line);
                Line($"{queueId}: lost input channel from {client} to MTA after {after}");
                gone = true;
                break;
            default:
                throw new InvalidOperationException($"The Sendmail writer has no translation for the Postfix line kind {kind}.");
        }
    }

    /// <summary>The connection: refused at once when a DNSBL lists the client; else its queue id, and STARTTLS if it asks.</summary>
    private void Connect(Dictionary<string, string> values, DateTimeOffset time, Action<string, DateTimeOffset?, int?> line)
    {
        var ip = values["client_ip"];
        var address = ip.Contains(':', StringComparison.Ordinal) ? "IPv6:" + ip : ip;
        var host = values.GetValueOrDefault("client_host", "unknown");
        client = host == "unknown" ? $"[{address}]" : $"{host} [{address}]";
        if (values.TryGetValue("listed_in", out var list))
        {
            line($"ruleset=check_relay, arg1=[{address}], arg2=127.0.0.2, relay={client}, reject=550 5.7.1 Rejected: {ip} listed at {list}", null, null);
            gone = true;
            return;
        }

        queueId = NewQueueId(time, process);
        if (values.GetValueOrDefault("tls") == "yes")
        {
            line($"STARTTLS=server, relay={client}, version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256", time.AddSeconds(0.05), null);
        }
    }

    /// <summary>MAIL FROM: a transaction under the session's queue id, or under a new one after an earlier transaction.</summary>
    private void Begin(string mailFrom, DateTimeOffset time, Action<string, DateTimeOffset?, int?> line)
    {
        if (inTransaction && refusedFrom is not null && refusedFrom != mailFrom)
        {
            // Another sender: the refused transaction ended (RSET), and Sendmail logged its envelope then.
            EndTransaction(line);
            spent = true;
        }

        if (!inTransaction && spent)
        {
            (queueId, spent) = (NewQueueId(time, process), false);
        }

        (inTransaction, mailGiven) = (true, true);
    }

    /// <summary>The message was taken (DATA done): its envelope, written when queued.</summary>
    private void Taken(Dictionary<string, string> values, DateTimeOffset time, Action<string, DateTimeOffset?, int?> line)
    {
        Begin(values["mail_from"], time, line);
        var tls = values.GetValueOrDefault("tls") == "yes";
        messages[values["queue_id"]] = new Message(queueId, tls, values.ContainsKey("sasl_user") ? values["sasl_method"] : null)
        {
            Recipients = values["recipients"].Split(',').Length,
            Taken = time,
        };
        (inTransaction, refusedFrom, spent) = (false, null, true);
    }

    private void Queued(Dictionary<string, string> values, Action<string, DateTimeOffset?, int?> line)
    {
        var message = messages[values["queue_id"]];
        if (message.Notice || message.Logged)
        {
            // Sendmail's own DSN has no from= line (the DSN line said it was made), and a deferred
            // message that Postfix names again when it comes back from the deferred queue was logged once.
            return;
        }

        message.Logged = true;

        var protocol = "ESMTP" + (message.Tls ? "S" : string.Empty) + (message.Mechanism is null ? string.Empty : "A");
        var security = message.Tls ? $"tls_verify=NO, auth={message.Mechanism ?? "NONE"}, " : string.Empty;
        line(string.Create(CultureInfo.InvariantCulture, $"{message.QueueId}: from=<{values["mail_from"]}>, size={values["size"]}, class=0, nrcpts={message.Recipients}, msgid=<{message.MessageId}>, proto={protocol}, daemon=MTA, {security}relay={client}"), null, null);
        message.Size = values["size"];
    }

    /// <summary>A transaction whose recipients were all refused: Sendmail logs its envelope with no recipients when it ends.</summary>
    private void EndTransaction(Action<string, DateTimeOffset?, int?> line)
    {
        if (inTransaction && refusedFrom is { } from)
        {
            line($"{queueId}: from=<{from}>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay={client}", null, null);
        }

        (inTransaction, refusedFrom) = (false, null);
    }

    /// <summary>One line per next hop, naming all the recipients it took, at the time of the last of them.</summary>
    private static void Deliveries(Message message, Action<string, DateTimeOffset?, int?> line)
    {
        foreach (var group in message.Deliveries.GroupBy(d => (d.Hop, d.Status, d.Dsn), d => d))
        {
            var last = group.MaxBy(d => d.Time);
            var (host, ip, _) = PostfixValues.NextHop(group.Key.Hop);
            var delay = TimeSpan.FromSeconds(Math.Ceiling((last.Time - message.Taken).TotalSeconds));
            var size = long.TryParse(message.Size, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
            // Delivery to Domino on the inside network is in the clear (nothing verified); outside, STARTTLS
            // with a certificate no CA of ours vouches for.
            var inside = ip.StartsWith("10.", StringComparison.Ordinal);
            // A deferral is logged without it, as our sample's is (whether Sendmail names the TLS state of a
            // connection the far side turned away for now, no public log here shows).
            var verify = group.Key.Status == "deferred" ? string.Empty : inside ? "tls_verify=NONE, " : "tls_verify=FAIL, ";
            if (!inside)
            {
                line($"STARTTLS=client, relay={host}., version=TLSv1.3, verify=FAIL, cipher=TLS_AES_256_GCM_SHA384, bits=256/256", group.Min(d => d.Time).AddSeconds(-0.1), last.Pid);
            }

            line(string.Create(CultureInfo.InvariantCulture,
                $"{message.QueueId}: to={string.Join(",", group.Select(d => $"<{d.Recipient}>"))}, delay={delay:hh\\:mm\\:ss}, xdelay=00:00:01, mailer=esmtp, {verify}pri={size + 120_000}, relay={host}. [{ip}], dsn={group.Key.Dsn}, stat={Stat(group.Key.Status, last.Detail)}"),
                last.Time, last.Pid);
        }
    }

    /// <summary>Sendmail's <c>stat=</c>: <c>Sent (reply text)</c> without the reply's codes, or the reason a recipient failed.</summary>
    private static string Stat(string status, string detail)
    {
        if (status == "sent")
        {
            var text = detail.Length > 4 && char.IsAsciiDigit(detail[0]) ? detail[4..] : detail;
            text = text.Length > 6 && char.IsAsciiDigit(text[0]) && text[1] == '.' ? text[(text.IndexOf(' ', StringComparison.Ordinal) + 1)..] : text;
            return $"Sent ({text})";
        }

        if (status == "deferred")
        {
            return $"Deferred: {PostfixValues.Reply(detail)}";
        }

        return detail.Contains("User unknown", StringComparison.Ordinal) || detail.Contains("does not exist", StringComparison.Ordinal) ? "User unknown"
            : detail.Contains("rejected", StringComparison.OrdinalIgnoreCase) ? "Service unavailable"
            : "User unknown";
    }

    private string NewQueueId(DateTimeOffset time, int pid)
    {
        var t = time.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Base60[(t.Year - 1900) % 60]}{Base60[t.Month - 1]}{Base60[t.Day]}{Base60[t.Hour]}{Base60[t.Minute]}{Base60[t.Second]}{sequence.Next():00}{pid % 1_000_000:000000}");
    }

    private sealed class Message(string queueId, bool tls, string? mechanism)
    {
        public string QueueId { get; } = queueId;

        public bool Tls { get; } = tls;

        /// <summary>The SASL mechanism the client logged in with; null when it did not.</summary>
        public string? Mechanism { get; } = mechanism;

        public int Recipients { get; init; } = 1;

        /// <summary>Whether its <c>from=</c> line was written.</summary>
        public bool Logged { get; set; }

        public bool Notice { get; init; }

        public string MessageId { get; set; } = string.Empty;

        public string Size { get; set; } = "0";

        public DateTimeOffset Taken { get; init; }

        /// <summary>The <c>stat=</c> of a recipient that failed, which the DSN line repeats.</summary>
        public string FailedStat { get; set; } = "User unknown";

        public List<(DateTimeOffset Time, string Recipient, string Hop, string Status, string Dsn, string Detail, int Pid)> Deliveries { get; } = [];
    }
}

/// <summary>What a Sendmail relay counts: the two-digit sequence in its queue ids (two sessions of one process in one second differ) and its process ids.</summary>
internal sealed class SendmailSequence
{
    /// <summary>Linux's default <c>pid_max</c> on 64-bit systems; the kernel wraps to low numbers past it.</summary>
    private const int PidMax = 4_194_304;

    private int next;
    private int process = -1;

    public int Next() => next = (next + 1) % 100;

    /// <summary>
    /// A relay-wide process id for a new connection, two apart (the connection's child, and the one it forks to
    /// send a DSN): the first from the actor's number (<paramref name="first"/>), the next ones in turn.
    /// </summary>
    public int NextProcess(int first)
    {
        process = process < 0 ? first : process + 2 >= PidMax ? 300 : process + 2;
        return process;
    }
}
