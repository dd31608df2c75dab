using System.Globalization;

namespace RelayWatch.Simulation.Relays;

/// <summary>
/// Exim 4.98 as a relay logs one SMTP session in its mainlog, with <c>log_selector = +millisec +pid
/// +outgoing_port</c>: the connection and its close, refusals with the client's <c>H=</c> fields first,
/// authentication failures, the arrival (<c>&lt;=</c>, naming client, size and Message-ID), each delivery
/// (<c>=&gt;</c>, <c>-&gt;</c> for more recipients in the same transaction, <c>**</c> for a bounce),
/// the bounce Exim makes itself (<c>&lt;= &lt;&gt; R=parent</c>) and <c>Completed</c>. The wording is
/// Exim's own, as the Exim test suite and the corpora show it; the refusal texts are those of Exim's
/// default configuration (<c>Unrouteable address</c>, <c>relay not permitted</c>) and of a common
/// DNSBL ACL (<c>JunkMail rejected - … is in an RBL</c>), and the connect ACL warns of a DNSBL listing
/// (<c>Warning: … is in zen.dnsbl.example</c>) when the actor says the client is listed (<c>listed_in</c>
/// on its connection, which Postfix's templates ignore: postscreen logs its own verdict later).
/// </summary>
internal sealed class EximWriter(SimLog log, string relay, int sessionPid) : IRelayWriter
{
    public const string Program = "exim";

    private const string Tls = "X=TLS1.3:TLS_AES_256_GCM_SHA384:256";

    private readonly Dictionary<string, Message> messages = new(StringComparer.Ordinal);
    private DateTimeOffset? start;
    private bool gone;

    public TimeSpan Admit(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values) => TimeSpan.Zero;

    public void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values)
    {
        start ??= time;
        if (gone)
        {
            // The connection is over for Exim (it refused the client, or the client went away): nothing more is said of it.
            return;
        }

        void Line(string text, int? linePid = null) => lines.Add(log.Text(relay, time, Program, linePid ?? sessionPid, text));
        switch (kind)
        {
            case "smtpd.connect" or "postscreen.connect":
                Line($"SMTP connection from {Client(values, helo: false)} (TCP/IP connection count = 1)");
                if (values.TryGetValue("listed_in", out var list))
                {
                    // The connect ACL's "warn dnslists = …" with a log_message: it runs before the banner, so before anything the client says.
                    Line($"H={Client(values, helo: false)} Warning: {values["client_ip"]} is in {list}");
                }

                break;
            case "smtpd.disconnect" or "postscreen.disconnect":
                Line($"SMTP connection from {Client(values, helo: true)} D={Duration(time - start.Value)} closed by QUIT");
                break;
            case "smtpd.lost_connection" or "postscreen.hangup":
                Line($"unexpected disconnection while reading SMTP command from {Client(values, helo: true)} D={Duration(time - start.Value)}");
                gone = true;
                break;
            case "postscreen.pregreet":
                Line($"SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H={Client(values, helo: false)} input=\"{values["detail"]}\"");
                gone = true;
                break;
            case "postscreen.dnsbl" or "smtpd.client":
                // Exim warned of the listing when the client connected (listed_in); it names no message id before the arrival line.
                break;
            case "smtpd.reject" or "postscreen.reject":
                var verb = values["smtp_code"].StartsWith('4') ? "temporarily rejected" : "rejected";
                Line($"H={Client(values, helo: true)} F=<{values["mail_from"]}> {verb} RCPT <{values["rcpt_to"]}>: {Refusal(values)}");
                break;
            case "smtpd.sasl_failed":
                Line($"dovecot_{values["sasl_method"].ToLowerInvariant()} authenticator failed for {Client(values, helo: true)}: 535 Incorrect authentication data (set_id={GuessedUsers.For(values, time)})");
                break;
            case "smtpd.client_sasl":
                MessageFor(values["queue_id"], time).SaslUser = values["sasl_user"];
                break;
            case "cleanup.message_id":
                MessageFor(values["queue_id"], time).MessageId = values["message_id"];
                break;
            case "bounce.ndr":
                var bounced = MessageFor(values["queue_id"], time);
                var notification = MessageFor(values["ndr_queue_id"], time);
                (notification.Parent, notification.DeliveryPid, bounced.Notification) = (values["queue_id"], bounced.DeliveryPid, values["ndr_queue_id"]);
                break;
            case "qmgr.queued" when MessageFor(values["queue_id"], time).Arrived:
                // Postfix names a deferred message again when it comes back from the deferred queue; Exim said it arrived once.
                break;
            case "qmgr.queued":
                Arrival(values, time, Line);
                break;
            case "delivery" or "delivery.orig_to":
                Delivery(values, pid, Line);
                break;
            case "qmgr.removed":
                var message = MessageFor(values["queue_id"], time);
                if (message.Notification is not null)
                {
                    // Exim writes the bounce it makes before the bounced message's "Completed"; Postfix removes it first.
                    message.CompletionHeld = true;
                    break;
                }

                Line($"{message.Id} Completed", message.DeliveryPid);
                messages.Remove(values["queue_id"]);
                break;
            default:
                throw new InvalidOperationException($"The Exim writer has no translation for the Postfix line kind {kind}.");
        }
    }

    private void Arrival(Dictionary<string, string> values, DateTimeOffset time, Action<string, int?> line)
    {
        var message = MessageFor(values["queue_id"], time);
        message.Arrived = true;
        if (message.Parent is { } parentQueueId)
        {
            // A bounce Exim generates itself: local, from the null sender, naming the message it reports on, which is then complete.
            var parent = messages[parentQueueId];
            line($"{message.Id} <= <> R={parent.Id} U=Debian-exim P=local S={values["size"]}", message.DeliveryPid);
            parent.Notification = null;
            if (parent.CompletionHeld)
            {
                line($"{parent.Id} Completed", parent.DeliveryPid);
                messages.Remove(parentQueueId);
            }

            return;
        }

        var sender = values["mail_from"].Length == 0 ? "<>" : values["mail_from"];
        var (protocol, tls) = values.GetValueOrDefault("tls") == "yes" ? ("esmtps", Tls + " ") : ("esmtp", string.Empty);
        var (authenticated, login) = message.SaslUser is { } user ? ("a", $"A=dovecot_plain:{user} ") : (string.Empty, string.Empty);
        line($"{message.Id} <= {sender} H={Client(values, helo: true)} P={protocol}{authenticated} {tls}{login}S={values["size"]} id={message.MessageId}", null);
    }

    private void Delivery(Dictionary<string, string> values, int pid, Action<string, int?> line)
    {
        var message = messages[values["queue_id"]];
        message.DeliveryPid = pid;
        var hop = values["next_hop"];
        var (host, ip, port) = PostfixValues.NextHop(hop);
        var router = ip.StartsWith("10.", StringComparison.Ordinal) ? "to_domino" : "dnslookup";
        var original = values.TryGetValue("orig_rcpt_to", out var asked) ? $" <{asked}>" : string.Empty;
        var target = $"{values["rcpt_to"]}{original} R={router} T=remote_smtp H={host} [{ip}]:{port}";
        switch (values["status"])
        {
            case "sent":
                // "->" marks a further recipient delivered in the same SMTP transaction as the one before.
                line($"{message.Id} {(message.LastHop == hop ? "->" : "=>")} {target} C=\"{values["detail"]}\"", pid);
                message.LastHop = hop;
                break;
            case "bounced":
                line($"{message.Id} ** {target} : SMTP error from remote mail server after RCPT TO:<{values["rcpt_to"]}>: {PostfixValues.Reply(values["detail"])}", pid);
                break;
            case "deferred":
                // A temporary refusal: Exim keeps the message and tries again; the line names no port.
                line($"{message.Id} == {values["rcpt_to"]} R={router} T=remote_smtp defer (-44) H={host} [{ip}]: SMTP error from remote mail server after RCPT TO:<{values["rcpt_to"]}>: {PostfixValues.Reply(values["detail"])}", pid);
                break;
            default:
                throw new InvalidOperationException($"The Exim writer has no translation for a delivery {values["status"]}.");
        }
    }

    /// <summary>A connection's length as Exim writes it: <c>3s</c>, <c>2m5s</c>.</summary>
    private static string Duration(TimeSpan length)
    {
        var seconds = (int)Math.Ceiling(length.TotalSeconds);
        return seconds < 60
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60}s");
    }

    /// <summary>What Exim's ACLs say when they refuse a recipient, for the refusal Postfix words as <c>detail</c>.</summary>
    private static string Refusal(Dictionary<string, string> values)
    {
        var detail = values["detail"];
        return detail.Contains("User unknown", StringComparison.Ordinal) ? "Unrouteable address"
            : detail.Contains("Relay access denied", StringComparison.Ordinal) ? "relay not permitted"
            : detail.Contains("Greylisted", StringComparison.Ordinal) ? "greylisted, please try again later"
            : detail.Contains("blocked using", StringComparison.Ordinal) ? $"\"JunkMail rejected - {Client(values, helo: false)} is in an RBL: {detail[(detail.LastIndexOf(' ') + 1)..]}\""
            : throw new InvalidOperationException($"The Exim writer has no wording for the refusal '{detail}'.");
    }

    /// <summary>
    /// The client as Exim names it: the verified host name when there is one, the HELO in brackets
    /// when it says something else (Exim knows it only after EHLO), then <c>[address]:port</c>.
    /// </summary>
    private static string Client(Dictionary<string, string> values, bool helo)
    {
        var host = values.GetValueOrDefault("client_host", "unknown");
        var name = host == "unknown" ? string.Empty : host + " ";
        var greeting = helo && values.GetValueOrDefault("helo") is { Length: > 0 } said && said != host ? $"({said}) " : string.Empty;
        return $"{name}{greeting}[{values["client_ip"]}]:{values["client_port"]}";
    }

    private Message MessageFor(string queueId, DateTimeOffset time)
    {
        if (!messages.TryGetValue(queueId, out var message))
        {
            messages[queueId] = message = new Message(MessageIdFor(queueId, time)) { DeliveryPid = sessionPid };
        }

        return message;
    }

    /// <summary>
    /// Exim 4.97's message id (<c>1vBxQa-000000000Jk-0A1b</c>): the arrival second, then eleven and four
    /// base-62 digits, here from the Postfix queue id the actor drew (so unique) and the millisecond.
    /// </summary>
    private static string MessageIdFor(string queueId, DateTimeOffset time) =>
        $"{Base62((ulong)time.ToUnixTimeSeconds(), 6)}-{Base62(StableHash.Of64(queueId), 11)}-{Base62((ulong)time.Millisecond, 4)}";

    private static string Base62(ulong value, int digits)
    {
        const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<char> text = stackalloc char[digits];
        for (var i = digits - 1; i >= 0; i--)
        {
            text[i] = Digits[(int)(value % 62)];
            value /= 62;
        }

        return new string(text);
    }

    private sealed class Message(string id)
    {
        public string Id { get; } = id;

        public string MessageId { get; set; } = string.Empty;

        /// <summary>For a bounce Exim made: the queue id (the actor's) of the message it reports on.</summary>
        public string? Parent { get; set; }

        /// <summary>For a bounced message: the queue id of the bounce Exim is making for it, until that arrives.</summary>
        public string? Notification { get; set; }

        /// <summary>Removed while its bounce was still to arrive: "Completed" follows the bounce's arrival.</summary>
        public bool CompletionHeld { get; set; }

        public int DeliveryPid { get; set; }

        /// <summary>The user the client logged in as (Exim's <c>A=authenticator:id</c>).</summary>
        public string? SaslUser { get; set; }

        public string? LastHop { get; set; }

        public bool Arrived { get; set; }
    }
}
