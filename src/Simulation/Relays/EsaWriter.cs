using System.Globalization;

namespace RelayWatch.Simulation.Relays;

/// <summary>
/// A Cisco Secure Email appliance (AsyncOS) logs one SMTP session in its text mail log: the incoming
/// connection (<c>New SMTP ICID</c>) and the host access table's verdict on it — <c>ACCEPT</c>, or
/// <c>REJECT</c> for a sender SenderBase puts in the blocked reputation range, which is the appliance's
/// DNS blocklist (the actor's <c>listed_in</c>) — each message from its MAIL FROM (<c>Start MID</c>,
/// <c>From:</c>), its recipients (<c>RID n To:</c>) or their refusals (<c>Rejected by LDAPACCEPT</c> for
/// an unknown user, <c>Rejected by RAT</c> for relaying), its size (<c>ready … bytes</c>), its deliveries
/// over delivery connections of their own (<c>New SMTP DCID</c>, <c>Delivery start</c>, <c>Message
/// done</c> with the next hop's <c>Response</c>, <c>Bounced:</c>, or <c>Delayed:</c> for a try that failed
/// for now), the bounce it generates itself
/// (<c>Start MID … ICID 0</c>, <c>was generated for bounce of MID</c>) and the end (<c>Message finished</c>,
/// <c>ICID close</c>). Shapes as Cisco's logging guide and IronPort's own log tools show them.
/// </summary>
/// <remarks>
/// A delivery connection carries all of a message's recipients for one next hop, so deliveries are
/// held until the message is done and then written at the times they happened. AsyncOS numbers
/// connections and messages with counters of the appliance (<see cref="EsaCounters"/>).
/// </remarks>
internal sealed class EsaWriter(SimLog log, string relay, EsaCounters counters) : IRelayWriter
{
    /// <summary>The program name that marks the appliance's lines (its log subscription's name).</summary>
    public const string Program = "mail_logs";

    /// <summary>The appliance's public listener.</summary>
    public const string Listener = "Incoming (192.0.2.20)";

    private const string PublicAddress = "192.0.2.20";

    private const string AuthProfile = "Submission";

    private readonly Dictionary<string, Message> messages = new(StringComparer.Ordinal);
    private long icid;
    private bool gone;

    /// <summary>The message whose MAIL FROM the client gave and that has no data yet (refused recipients are logged under it).</summary>
    private Message? open;

    public TimeSpan Admit(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values) => TimeSpan.Zero;

    public void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values)
    {
        if (gone)
        {
            // The appliance refused the connection or the client went away: nothing more is said of it.
            return;
        }

        void Line(string text, DateTimeOffset? at = null) => lines.Add(log.Text(relay, at ?? time, Program, 0, text));
        switch (kind)
        {
            case "smtpd.connect" or "postscreen.connect":
                Connect(values, time, Line);
                break;
            case "smtpd.disconnect" or "postscreen.disconnect":
                Line(Icid("close"));
                break;
            case "smtpd.lost_connection" or "postscreen.hangup":
                Line(Icid("lost"));
                gone = true;
                break;
            case "postscreen.pregreet" or "postscreen.dnsbl":
                // AsyncOS has no greeting test; its reputation verdict came at the connection.
                break;
            case "smtpd.reject" or "postscreen.reject":
                var refused = Open(values["mail_from"], time, Line);
                Line($"MID {refused.Mid} ICID {icid} To: <{values["rcpt_to"]}> Rejected by {Table(values["detail"])}");
                break;
            case "smtpd.sasl_failed":
                var guessed = GuessedUsers.For(values, time);
                Line($"SMTP Auth: (ICID {icid}) failed for user: {guessed} using AUTH mechanism: {values["sasl_method"]} with profile: {AuthProfile}");
                break;
            case "smtpd.client_sasl":
                Line($"SMTP Auth: (ICID {icid}) succeeded for user: {values["sasl_user"]} using AUTH mechanism: {values["sasl_method"]} with profile: {AuthProfile}", time.AddSeconds(-0.2));
                Accepted(values, time, Line);
                break;
            case "smtpd.client":
                Accepted(values, time, Line);
                break;
            case "cleanup.message_id":
                Line($"MID {messages[values["queue_id"]].Mid} Message-ID '<{values["message_id"]}>'");
                break;
            case "bounce.ndr":
                Bounce(values, time, Line);
                break;
            case "qmgr.queued" when messages[values["queue_id"]].Ready:
                // Postfix names a deferred message again when it comes back from the deferred queue; the appliance said it was ready once.
                break;
            case "qmgr.queued":
                var queued = messages[values["queue_id"]];
                queued.Ready = true;
                Line($"MID {queued.Mid} ready {values["size"]} bytes from <{values["mail_from"]}>");
                if (queued.Parent is null)
                {
                    Line($"MID {queued.Mid} matched all recipients for per-recipient policy DEFAULT in the inbound table");
                }

                Line($"MID {queued.Mid} queued for delivery");
                break;
            case "delivery" or "delivery.orig_to":
                if (values["status"] is not ("sent" or "bounced" or "deferred"))
                {
                    throw new InvalidOperationException($"The Cisco appliance writer has no translation for a delivery {values["status"]}.");
                }

                var delivered = messages[values["queue_id"]];
                var recipient = values.GetValueOrDefault("orig_rcpt_to") ?? values["rcpt_to"];
                delivered.Deliveries.Add(new Delivery(time, delivered.Rids[recipient], values["next_hop"], values["status"], values["detail"]));
                break;
            case "qmgr.removed":
                Finish(messages[values["queue_id"]], time, Line);
                messages.Remove(values["queue_id"]);
                break;
            default:
                throw new InvalidOperationException($"The Cisco appliance writer has no translation for the Postfix line kind {kind}.");
        }
    }

    /// <summary>The connection and the host access table's verdict; a listed sender is refused there and then.</summary>
    private void Connect(Dictionary<string, string> values, DateTimeOffset time, Action<string, DateTimeOffset?> line)
    {
        icid = counters.Icids.Next(time);
        var ip = values["client_ip"];
        var host = values.GetValueOrDefault("client_host", "unknown");
        var ours = ip.StartsWith("10.", StringComparison.Ordinal);
        var listener = ours ? $"Outgoing ({MxRouting.InsideAddress(relay)})" : Listener;
        line($"New SMTP ICID {icid} interface {listener} address {ip} reverse dns host {host} verified {(host == "unknown" ? "no" : "yes")}", null);
        if (ours)
        {
            line($"ICID {icid} RELAY SG RELAYLIST match 10.0.0.0/8 SBRS not enabled", null);
            return;
        }

        if (values.ContainsKey("listed_in"))
        {
            line($"ICID {icid} REJECT SG BLOCKED_LIST match sbrs[-10.0:-3.0] SBRS {Score(ip, -9.9, -3.1)} country not enabled", null);
            line(Icid("close"), time.AddSeconds(0.1));
            gone = true;
            return;
        }

        var (match, score) = host == "unknown" ? ("sbrs[none]", "None") : ("sbrs[-1.0:10.0]", Score(ip, -0.5, 5.9));
        line($"ICID {icid} ACCEPT SG UNKNOWN_LIST match {match} SBRS {score} country not enabled", null);
        if (values.GetValueOrDefault("tls") == "yes")
        {
            line($"ICID {icid} TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384", time.AddSeconds(0.05));
        }
    }

    /// <summary>The message the client's MAIL FROM opened: the one still open for the same sender, else a new one.</summary>
    private Message Open(string mailFrom, DateTimeOffset time, Action<string, DateTimeOffset?> line)
    {
        if (open is null || open.MailFrom != mailFrom)
        {
            open = new Message(counters.Mids.Next(time), mailFrom, Parent: null);
            line($"Start MID {open.Mid} ICID {icid}", null);
            line($"MID {open.Mid} ICID {icid} From: <{mailFrom}>", null);
        }

        return open;
    }

    /// <summary>The client sent DATA: the recipients the appliance accepted, numbered in order.</summary>
    private void Accepted(Dictionary<string, string> values, DateTimeOffset time, Action<string, DateTimeOffset?> line)
    {
        var message = Open(values["mail_from"], time, line);
        open = null;
        messages[values["queue_id"]] = message;
        foreach (var recipient in values["recipients"].Split(','))
        {
            var rid = message.Rids.Count;
            message.Rids[recipient] = rid;
            line(string.Create(CultureInfo.InvariantCulture, $"MID {message.Mid} ICID {icid} RID {rid} To: <{recipient}>"), null);
        }
    }

    /// <summary>The appliance bounces a message to its sender: a message of its own, with no incoming connection (ICID 0).</summary>
    private void Bounce(Dictionary<string, string> values, DateTimeOffset time, Action<string, DateTimeOffset?> line)
    {
        var parent = messages[values["queue_id"]];
        var notification = new Message(counters.Mids.Next(time), string.Empty, parent.Mid);
        notification.Rids[parent.MailFrom] = 0;
        messages[values["ndr_queue_id"]] = notification;
        line($"Start MID {notification.Mid} ICID 0", null);
        line($"MID {notification.Mid} was generated for bounce of MID {parent.Mid}", null);
        line($"MID {notification.Mid} ICID 0 From: <>", null);
        line($"MID {notification.Mid} ICID 0 RID 0 To: <{parent.MailFrom}>", null);
    }

    /// <summary>The message is done: its delivery connections, one per next hop, at the times they happened; then its end.</summary>
    private void Finish(Message message, DateTimeOffset time, Action<string, DateTimeOffset?> line)
    {
        // One delivery connection per next hop and attempt: the deferred first try, then the one that settled it.
        foreach (var hop in message.Deliveries.GroupBy(d => (d.Hop, Deferred: d.Status == "deferred")))
        {
            var (_, ip, port) = PostfixValues.NextHop(hop.Key.Hop);
            var first = hop.Min(d => d.Time);
            var dcid = counters.Dcids.Next(first);
            var interfaceAddress = ip.StartsWith("10.", StringComparison.Ordinal) ? MxRouting.InsideAddress(relay) : PublicAddress;
            line($"New SMTP DCID {dcid} interface {interfaceAddress} address {ip} port {port}", first.AddSeconds(-0.3));
            line($"Delivery start DCID {dcid} MID {message.Mid} to RID [{Rids(hop)}]", first.AddSeconds(-0.25));
            var sent = hop.Where(d => d.Status == "sent").ToList();
            if (sent.Count > 0)
            {
                var done = sent.Max(d => d.Time);
                line($"Message done DCID {dcid} MID {message.Mid} to RID [{Rids(sent)}]", done);
                line($"MID {message.Mid} RID [{Rids(sent)}] Response '{sent[^1].Detail}'", done);
            }

            foreach (var bounced in hop.Where(d => d.Status == "bounced"))
            {
                var (code, reply) = Reply(bounced.Detail);
                line(string.Create(CultureInfo.InvariantCulture, $"Bounced: DCID {dcid} MID {message.Mid} to RID {bounced.Rid} - 5.1.0 - Unknown address error ('{code}', ['{reply}']) []"), bounced.Time);
            }

            foreach (var deferred in hop.Where(d => d.Status == "deferred"))
            {
                var (code, reply) = Reply(deferred.Detail);
                line(string.Create(CultureInfo.InvariantCulture, $"Delayed: DCID {dcid} MID {message.Mid} to RID {deferred.Rid} - 4.4.0 - Other network problem ('{code}', ['{reply}']) []"), deferred.Time);
            }

            line($"DCID {dcid} close", hop.Key.Deferred ? hop.Max(d => d.Time).AddSeconds(0.5) : time.AddSeconds(5));
        }

        line($"Message finished MID {message.Mid} done", null);
    }

    private string Icid(string what) => string.Create(CultureInfo.InvariantCulture, $"ICID {icid} {what}");

    private static string Rids(IEnumerable<Delivery> deliveries) =>
        string.Join(", ", deliveries.Select(d => d.Rid).Distinct().Order().Select(r => r.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The access table that refused a recipient, for the refusal Postfix words as <c>detail</c>.</summary>
    private static string Table(string detail) =>
        detail.Contains("User unknown", StringComparison.Ordinal) ? "LDAPACCEPT"
        : detail.Contains("Relay access denied", StringComparison.Ordinal) ? "RAT"
        : throw new InvalidOperationException($"The Cisco appliance writer has no wording for the refusal '{detail}'.");

    /// <summary>A SenderBase reputation score for an address, stable for it, within the range given.</summary>
    private static string Score(string ip, double low, double high) =>
        (low + ((high - low) * (StableHash.Of32("sbrs " + ip) % 1000) / 999.0)).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The reply code and text of the next hop's refusal, as the appliance splits them.</summary>
    private static (string Code, string Text) Reply(string detail)
    {
        var reply = PostfixValues.Reply(detail);
        return reply.Length > 4 && reply[3] == ' ' ? (reply[..3], reply[4..]) : ("550", reply);
    }

    private sealed record Delivery(DateTimeOffset Time, int Rid, string Hop, string Status, string Detail);

    /// <param name="Parent">For a bounce the appliance made, the MID it reports on.</param>
    private sealed record Message(long Mid, string MailFrom, long? Parent)
    {
        /// <summary>Each accepted recipient's RID, in the order they were given.</summary>
        public Dictionary<string, int> Rids { get; } = new(StringComparer.Ordinal);

        public List<Delivery> Deliveries { get; } = [];

        /// <summary>Whether the appliance has said the message is ready (its size and sender).</summary>
        public bool Ready { get; set; }
    }
}

/// <summary>
/// The appliance's connection (ICID), message (MID) and delivery connection (DCID) numbers, each a
/// <see cref="ClockCounter"/> of its own height, as the appliance's counters grow at their own rates.
/// </summary>
internal sealed class EsaCounters
{
    public ClockCounter Icids { get; } = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public ClockCounter Mids { get; } = new(new DateTimeOffset(2022, 7, 1, 0, 0, 0, TimeSpan.Zero));

    public ClockCounter Dcids { get; } = new(new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero));
}
