using System.Globalization;

namespace RelayWatch.Simulation.Relays;

/// <summary>
/// An Exchange Edge Transport server logs one SMTP session in two logs of its own, both CSV under a
/// <c>#Fields:</c> header: the SMTP receive protocol log (<see cref="ProtocolLog"/>) — every command the
/// client gave (<c>&lt;</c>) and every reply (<c>&gt;</c>) between the connect (<c>+</c>) and the disconnect
/// (<c>-</c>), numbered in the session — and the message tracking log (<see cref="TrackingLog"/>): the
/// message received (<c>RECEIVE</c>), sent on to each next hop (<c>SEND</c>, all the recipients one hop
/// took in one row) or refused there (<c>FAIL</c>), and the non-delivery report Exchange makes itself
/// (<c>DSN</c>). The replies are Exchange's own (<c>550 5.1.10 RESOLVER.ADR.RecipientNotFound</c>, <c>550
/// 5.7.54 SMTP; Unable to relay recipient in non-accepted domain</c>, <c>535 5.7.3 Authentication
/// unsuccessful</c>); a client a DNS blocklist names is refused at RCPT by the connection filtering
/// agent's block list provider. A login names its account in the protocol log
/// (<c>*,OURS\jdoe,authenticated</c>), and a message's <c>RECEIVE</c> row names the session it came in
/// (<c>source-context</c> begins with the session id; its <c>connector-id</c> is the receive connector's, as
/// the protocol log writes it): the two logs join on those. Shapes as our hand-written sample (from
/// Microsoft's documentation of the two logs) has them.
/// </summary>
/// <remarks>
/// Deliveries are held until the message is done, so that one row names every recipient of one hop.
/// Session and message ids come from counters of the server (<see cref="ExchangeCounters"/>).
/// </remarks>
internal sealed class ExchangeWriter(SimLog log, string relay, ExchangeCounters counters) : IRelayWriter
{
    /// <summary>The program name that marks a protocol log line.</summary>
    public const string ProtocolLog = "SmtpReceive";

    /// <summary>The program name that marks a message tracking row.</summary>
    public const string TrackingLog = "MessageTracking";

    /// <summary>The server's public address, where its receive connector listens.</summary>
    public const string ServerIp = "192.0.2.30";

    public const string Version = "15.02.1544.004";

    /// <summary>The Windows domain our accounts live in: the protocol log names a login <c>OURS\user</c>.</summary>
    public const string AccountDomain = "OURS";

    public const string ProtocolFields = "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

    public const string TrackingFields = "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data";

    private static readonly string[] Subjects =
    [
        "Invoice 2026-0412", "Order confirmation", "Meeting notes, Tuesday", "Re: your enquiry", "Shipping notice", "Quarterly figures",
        "Newsletter: what's new this month", "Payslip", "Re: contract draft", "Delivery delayed", "Your account", "Agenda for Thursday",
    ];

    private readonly Dictionary<string, Message> messages = new(StringComparer.Ordinal);
    private string sessionId = string.Empty;
    private string local = string.Empty;
    private string remote = string.Empty;
    private int sequence;
    private DateTimeOffset opened;
    private int received;
    private bool listed;
    private bool gone;
    private string? sender;

    private string Connector => $"{relay}\\Default internal receive connector {relay}";

    public TimeSpan Admit(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values) => TimeSpan.Zero;

    public void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values)
    {
        if (gone)
        {
            return;
        }

        switch (kind)
        {
            case "smtpd.connect" or "postscreen.connect":
                Connect(lines, time, program, values);
                break;
            case "postscreen.pregreet" or "postscreen.dnsbl":
                // Exchange has no greeting test; its block list provider speaks at RCPT.
                break;
            case "smtpd.reject" or "postscreen.reject":
                Mail(lines, time, values["mail_from"]);
                Protocol(lines, time, "<", $"RCPT TO:<{values["rcpt_to"]}>");
                Protocol(lines, time, ">", Refusal(values["detail"]));
                break;
            case "smtpd.sasl_failed":
                Protocol(lines, time.AddSeconds(-0.5), "<", $"AUTH {values["sasl_method"]}");
                Protocol(lines, time, ">", "535 5.7.3 Authentication unsuccessful");
                break;
            case "smtpd.client_sasl":
                // A login sets the session's permissions anew and names the account it authenticated as, domain first;
                // all before the MAIL FROM (Taken's, 0.21 s before).
                Protocol(lines, time.AddSeconds(-0.3), "<", $"AUTH {values["sasl_method"]}");
                Protocol(lines, time.AddSeconds(-0.25), "*", "SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders", "Set Session Permissions");
                Protocol(lines, time.AddSeconds(-0.25), "*", $"{AccountDomain}\\{values["sasl_user"]}", "authenticated");
                Protocol(lines, time.AddSeconds(-0.25), ">", "235 2.7.0 Authentication successful");
                Taken(lines, time, values);
                break;
            case "smtpd.client":
                Taken(lines, time, values);
                break;
            case "cleanup.message_id":
                var identified = messages[values["queue_id"]];
                identified.MessageId = $"<{values["message_id"]}>";
                identified.Subject = identified.Notice ? identified.Subject : Subjects[StableHash.Of32(values["message_id"]) % (uint)Subjects.Length];
                break;
            case "qmgr.queued":
                Queued(lines, time, values);
                break;
            case "bounce.ndr":
                Notice(lines, time, values);
                break;
            case "delivery" or "delivery.orig_to":
                if (values["status"] is not ("sent" or "bounced" or "deferred"))
                {
                    throw new InvalidOperationException($"The Exchange writer has no translation for a delivery {values["status"]}.");
                }

                var delivered = messages[values["queue_id"]];
                delivered.Deliveries.Add((time, values.GetValueOrDefault("orig_rcpt_to") ?? values["rcpt_to"], values["next_hop"], values["status"], values["detail"]));
                break;
            case "qmgr.removed":
                Deliveries(lines, messages[values["queue_id"]]);
                messages.Remove(values["queue_id"]);
                break;
            case "smtpd.disconnect" or "postscreen.disconnect":
                Protocol(lines, time.AddSeconds(-0.01), "<", "QUIT");
                Protocol(lines, time, ">", "221 2.0.0 Service closing transmission channel");
                Protocol(lines, time, "-", string.Empty, "Local");
                break;
            case "smtpd.lost_connection" or "postscreen.hangup":
                Protocol(lines, time, "-", string.Empty, "Remote(SocketError)");
                gone = true;
                break;
            default:
                throw new InvalidOperationException($"The Exchange writer has no translation for the Postfix line kind {kind}.");
        }
    }

    /// <summary>The lines a new log file of <paramref name="program"/> begins with, as Exchange writes them.</summary>
    public static IEnumerable<string> Header(string program, DateTimeOffset created) =>
    [
        "#Software: Microsoft Exchange Server",
        $"#Version: {Version}",
        $"#Log-type: {(program == ProtocolLog ? "SMTP Receive Protocol Log" : "Message Tracking Log")}",
        string.Create(CultureInfo.InvariantCulture, $"#Date: {created.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}"),
        $"#Fields: {(program == ProtocolLog ? ProtocolFields : TrackingFields)}",
    ];

    /// <summary>A log file's name: the log's prefix and the day it was begun (Exchange starts one a day, and another when one is full).</summary>
    public static string FileName(string program, DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture, $"{(program == ProtocolLog ? "RECV" : "MSGTRK")}{time.UtcDateTime:yyyyMMdd}00-1.LOG");

    private void Connect(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values)
    {
        sessionId = string.Create(CultureInfo.InvariantCulture, $"08DE{counters.Sessions.Next(time):X12}");
        (opened, received) = (time, 0);
        var ip = values["client_ip"];
        var port = program.Contains("submission", StringComparison.Ordinal) ? "587" : "25";
        local = $"{ServerIp}:{port}";
        remote = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{values["client_port"]}" : $"{ip}:{values["client_port"]}";
        listed = values.ContainsKey("listed_in");
        Protocol(lines, time, "+", string.Empty);
        Protocol(lines, time, "*", "SMTPSubmit SMTPAcceptAnySender", "Set Session Permissions");
        Protocol(lines, time, ">", string.Create(CultureInfo.InvariantCulture, $"220 {relay}.ours.example Microsoft ESMTP MAIL Service ready at {time.UtcDateTime:ddd, dd MMM yyyy HH:mm:ss} +0000"));
        var helo = values.GetValueOrDefault("helo", string.Empty);
        Protocol(lines, time.AddSeconds(0.05), "<", $"EHLO {helo}");
        Protocol(lines, time.AddSeconds(0.05), ">", $"250 {relay}.ours.example Hello [{ip}]");
        if (values.GetValueOrDefault("tls") == "yes")
        {
            Protocol(lines, time.AddSeconds(0.06), "<", "STARTTLS");
            Protocol(lines, time.AddSeconds(0.06), ">", "220 2.0.0 SMTP server ready");
            Protocol(lines, time.AddSeconds(0.08), "<", $"EHLO {helo}");
            Protocol(lines, time.AddSeconds(0.08), ">", $"250 {relay}.ours.example Hello [{ip}]");
        }
    }

    /// <summary>MAIL FROM, unless the transaction the client began is still open for the same sender.</summary>
    private void Mail(List<SimLine> lines, DateTimeOffset time, string mailFrom)
    {
        if (sender == mailFrom)
        {
            return;
        }

        sender = mailFrom;
        Protocol(lines, time.AddSeconds(-0.01), "<", $"MAIL FROM:<{mailFrom}>");
        Protocol(lines, time.AddSeconds(-0.01), ">", "250 2.1.0 Sender OK");
    }

    /// <summary>The client's accepted recipients and DATA; the message is queued when the actor says so.</summary>
    private void Taken(List<SimLine> lines, DateTimeOffset time, Dictionary<string, string> values)
    {
        Mail(lines, time.AddSeconds(-0.2), values["mail_from"]);
        var recipients = values["recipients"].Split(',');
        foreach (var recipient in recipients)
        {
            Protocol(lines, time.AddSeconds(-0.1), "<", $"RCPT TO:<{recipient}>");
            Protocol(lines, time.AddSeconds(-0.1), ">", "250 2.1.5 Recipient OK");
        }

        Protocol(lines, time, "<", "DATA");
        Protocol(lines, time, ">", "354 Start mail input; end with <CRLF>.<CRLF>");
        messages[values["queue_id"]] = new Message(InternalId(time), values["mail_from"] is { Length: > 0 } from ? from : "<>", recipients) { ClientIp = values["client_ip"], ClientHost = values.GetValueOrDefault("client_host", string.Empty), Received = time };
        sender = null;
    }

    private void Queued(List<SimLine> lines, DateTimeOffset time, Dictionary<string, string> values)
    {
        var message = messages[values["queue_id"]];
        message.Size = values["size"];
        if (message.Notice || message.Logged)
        {
            // Exchange made this one itself (its DSN row said so), or it is a deferred message that
            // Postfix names again when it comes back from the deferred queue: received once.
            return;
        }

        message.Logged = true;

        var reply = string.Create(CultureInfo.InvariantCulture, $"250 2.6.0 {message.MessageId} [InternalId={message.InternalId}, Hostname={relay}.ours.example] Queued mail for delivery");
        Protocol(lines, time, ">", reply);
        var recipients = string.Join(";", message.Recipients);
        Tracking(lines, time, message.ClientIp, message.ClientHost, ServerIp, relay, string.Create(CultureInfo.InvariantCulture, $"{sessionId};{Stamp(opened)};{received++}"), Connector, "SMTP", "RECEIVE", message,
            recipients, string.Empty, message.Recipients.Count, string.Empty, "Incoming", string.Empty, message.ClientIp, ServerIp);
    }

    /// <summary>Exchange bounces a message to its sender: a DSN of its own, referring to the message.</summary>
    private void Notice(List<SimLine> lines, DateTimeOffset time, Dictionary<string, string> values)
    {
        var parent = messages[values["queue_id"]];
        var notice = new Message(InternalId(time), "<>", [parent.Sender]) { Notice = true, Received = time, Subject = "Undeliverable: " + parent.Subject };
        notice.MessageId = $"<{NetworkMessageId(notice.InternalId)}@{relay}.ours.example>";
        messages[values["ndr_queue_id"]] = notice;
        Tracking(lines, time, string.Empty, string.Empty, string.Empty, relay, string.Empty, string.Empty, "DSN", "DSN", notice,
            parent.Sender, string.Empty, 1, parent.MessageId, "Incoming", string.Empty, string.Empty, string.Empty, size: "7012");
    }

    /// <summary>One SEND row per next hop for the recipients it took, one FAIL row per recipient it refused, one DEFER row per temporary refusal.</summary>
    private void Deliveries(List<SimLine> lines, Message message)
    {
        foreach (var hop in message.Deliveries.GroupBy(d => d.Hop, StringComparer.Ordinal))
        {
            var (host, ip, _) = PostfixValues.NextHop(hop.Key);
            var connector = ip.StartsWith("10.", StringComparison.Ordinal) ? "To Domino" : "Internet";
            var sent = hop.Where(d => d.Status == "sent").ToList();
            if (sent.Count > 0)
            {
                var last = sent.Max(d => d.Time);
                var statuses = string.Join(";", sent.Select(d => d.Detail));
                var info = string.Create(CultureInfo.InvariantCulture, $"{message.Received.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'};SRV={relay}:TOTAL-SUB={(last - message.Received).TotalSeconds:0.000}");
                Tracking(lines, last, ServerIp, relay, ip, host, $";{sent[^1].Detail};ClientSubmitTime:", connector, "SMTP", "SEND", message,
                    string.Join(";", sent.Select(d => d.Recipient)), statuses, sent.Count, string.Empty, "Incoming", info, OriginalClient(message), ip);
            }

            foreach (var failed in hop.Where(d => d.Status is "bounced" or "deferred"))
            {
                Tracking(lines, failed.Time, ServerIp, relay, ip, host, string.Empty, connector, "SMTP", failed.Status == "bounced" ? "FAIL" : "DEFER", message,
                    failed.Recipient, PostfixValues.Reply(failed.Detail), 1, string.Empty, "Incoming", string.Empty, OriginalClient(message), ip);
            }
        }
    }

    /// <summary>Where a message first came from: its client, or this server for a report it made itself.</summary>
    private static string OriginalClient(Message message) => message.ClientIp.Length > 0 ? message.ClientIp : ServerIp;

    private void Protocol(List<SimLine> lines, DateTimeOffset time, string what, string data, string context = "") =>
        lines.Add(log.Text(relay, time, ProtocolLog, 0, string.Create(CultureInfo.InvariantCulture,
            $"{Stamp(time)},{Connector},{sessionId},{sequence++},{local},{remote},{what},{Csv(data)},{Csv(context)}")));

    private void Tracking(List<SimLine> lines, DateTimeOffset time, string clientIp, string clientHost, string serverIp, string serverHost, string sourceContext, string connector, string source, string eventId,
        Message message, string recipients, string statuses, int count, string reference, string direction, string info, string originalClient, string originalServer, string? size = null)
    {
        string[] row =
        [
            Stamp(time), clientIp, clientHost, serverIp, serverHost, sourceContext, connector, source, eventId,
            message.InternalId.ToString(CultureInfo.InvariantCulture), message.MessageId, NetworkMessageId(message.InternalId), recipients, statuses, size ?? message.Size,
            count.ToString(CultureInfo.InvariantCulture), string.Empty, reference, message.Subject, message.Sender, message.Sender, info, direction, string.Empty, originalClient, originalServer, string.Empty,
        ];
        lines.Add(log.Text(relay, time, TrackingLog, 0, string.Join(",", row.Select(Csv))));
    }

    /// <summary>What Exchange answers at RCPT, for the refusal Postfix words as <c>detail</c>.</summary>
    private string Refusal(string detail) =>
        listed || detail.Contains("blocked using", StringComparison.Ordinal) ? "550 5.7.1 Recipient not authorized, your IP has been found on a block list"
        : detail.Contains("User unknown", StringComparison.Ordinal) ? "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
        : detail.Contains("Relay access denied", StringComparison.Ordinal) ? "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain"
        : throw new InvalidOperationException($"The Exchange writer has no wording for the refusal '{detail}'.");

    private long InternalId(DateTimeOffset time) => 4_398_046_511_104 + counters.Messages.Next(time);

    /// <summary>The GUID Exchange gives a message across the organisation, here made from its internal id.</summary>
    private string NetworkMessageId(long internalId)
    {
        var hash = StableHash.Of64(relay + internalId.ToString(CultureInfo.InvariantCulture));
        var more = StableHash.Of64(internalId.ToString(CultureInfo.InvariantCulture) + relay);
        return string.Create(CultureInfo.InvariantCulture, $"{hash >> 32:x8}-{(hash >> 16) & 0xffff:x4}-{hash & 0xffff:x4}-{more >> 48:x4}-{more & 0xffffffffffff:x12}");
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A CSV field as Exchange writes it: quoted when it holds a comma or a quote, quotes doubled.</summary>
    private static string Csv(string field) =>
        field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal) ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private sealed class Message(long internalId, string sender, IReadOnlyList<string> recipients)
    {
        public long InternalId { get; } = internalId;

        public string Sender { get; } = sender;

        public IReadOnlyList<string> Recipients { get; } = recipients;

        public string MessageId { get; set; } = string.Empty;

        /// <summary>The subject, which the tracking log records (the simulated messages have none of their own: one is picked for each).</summary>
        public string Subject { get; set; } = string.Empty;

        public string Size { get; set; } = "0";

        public string ClientIp { get; init; } = string.Empty;

        public string ClientHost { get; init; } = string.Empty;

        public DateTimeOffset Received { get; init; }

        public bool Notice { get; init; }

        /// <summary>Whether its RECEIVE row was written.</summary>
        public bool Logged { get; set; }

        public List<(DateTimeOffset Time, string Recipient, string Hop, string Status, string Detail)> Deliveries { get; } = [];
    }
}

/// <summary>An Exchange server's session ids and internal message ids.</summary>
internal sealed class ExchangeCounters
{
    public ClockCounter Sessions { get; } = new(new DateTimeOffset(2023, 3, 1, 0, 0, 0, TimeSpan.Zero));

    public ClockCounter Messages { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
}
