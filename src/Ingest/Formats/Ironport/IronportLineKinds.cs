using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// The kinds of line AsyncOS writes to mail_logs after the level, each a template (see
/// <see cref="TemplateGrammar"/>) in the appliance's own wording, with the event it records and what it does
/// to the connections (ICID), messages (MID, recipients by RID) and delivery connections (DCID) the parser
/// correlates. Field names are <c>smtp_events</c> columns or the ids; <c>verdict</c>, <c>rejected_by</c>,
/// <c>rids</c>, <c>reply</c> and <c>original_mid</c> are read by the step; <c>_</c> is text of no interest.
/// Rows are tried in order within a line's words (<see cref="IronportKindIndex"/>), first match wins; a line
/// no row matches is unrecognised, so a new wording shows in the data-quality counts instead of vanishing.
/// The wordings are those of Cisco's logging guide and of real appliances' logs (the corpora, IronPort's own
/// log analysis tools); this table is the single source of truth for what RelayWatch understands of ESA.
/// </summary>
internal static class IronportLineKinds
{
    /// <summary>The <c>reason</c> of a recipient refused by the table or check AsyncOS names (<c>Rejected by LDAPACCEPT</c>); others are classified by their text.</summary>
    public static readonly (string RejectedBy, string Reason)[] RefusingChecks =
    [
        ("LDAPACCEPT", Reasons.UserUnknown),
        // Directory harvest attack prevention: the sender passed its limit of unknown recipients.
        ("DHAP", Reasons.UserUnknown),
        // The recipient access table: a domain that is not ours.
        ("RAT", Reasons.RelayDenied),
        ("Receiving Control", Reasons.Policy),
        ("Injection Control", Reasons.Policy),
    ];

    /// <summary>Every kind, in the order they are tried.</summary>
    public static IReadOnlyList<IronportKind> All { get; } =
    [
        // Incoming connections and what the appliance said of them.
        Kind("ironport.connect", "New SMTP ICID {icid} interface {_} address {client_ip} reverse dns host {client_host} verified {verified}", EventNames.Connect, IronportStep.Connect),
        Kind("ironport.connect", "New SMTP ICID {icid} interface {_} address {client_ip}", EventNames.Connect, IronportStep.Connect),
        Kind("ironport.disconnect", "ICID {icid} close", EventNames.Disconnect, IronportStep.ConnectionEnd),
        Kind("ironport.lost_connection", "ICID {icid} lost{_}", EventNames.LostConnection, IronportStep.ConnectionEnd),
        new(LineKind.Selecting("ironport.verdict", "ICID {icid} {verdict} SG {detail}", "verdict", new Dictionary<string, string?>
        {
            ["REJECT"] = EventNames.Reject,
            ["TCPREFUSE"] = EventNames.Reject,
        }), IronportStep.HostAccessVerdict),
        Note("ironport.sbrs", "ICID {icid} SBRS {_}"),
        Note("ironport.tls", "ICID {icid} TLS {_}"),
        Kind("ironport.rate_limited", "ICID {icid} Receiving Failed: Connection limit exceeded{detail}", EventNames.RateLimited, IronportStep.ConnectionSignal),
        Kind("ironport.rate_limited", "ICID {icid} Receiving Failed: Too Many Messages{detail}", EventNames.RateLimited, IronportStep.ConnectionSignal),
        Kind("ironport.receiving_failed", "ICID {icid} Receiving Failed: {detail}", EventNames.Reject, IronportStep.ConnectionSignal),
        Kind("ironport.receiving_failed", "ICID {icid} Injection Failed: {detail}", EventNames.Reject, IronportStep.ConnectionSignal),
        Kind("ironport.bad_syntax", "ICID {icid} Bad syntax for command: {detail}", EventNames.ProtocolViolation, IronportStep.ConnectionSignal),
        Kind("ironport.unknown_command", "ICID {icid} Unknown command: {detail}", EventNames.ProtocolViolation, IronportStep.ConnectionSignal),
        Kind("ironport.invalid_sender", "ICID {icid} Invalid sender address: {detail}", EventNames.Reject, IronportStep.ConnectionSignal, Reasons.SenderRejected),
        Kind("ironport.invalid_recipient", "ICID {icid} MID {mid} Invalid recipient address: {detail}", EventNames.ProtocolViolation, IronportStep.ConnectionSignal),
        // Sender verification: the envelope sender's domain does not exist or does not resolve.
        Kind("ironport.sender_rejected", "ICID {icid} Address: {mail_from} sender rejected, {detail}", EventNames.Reject, IronportStep.ConnectionSignal, Reasons.SenderRejected),
        Note("ironport.sender_allowed", "ICID {icid} Address: {_} sender allowed, {_}"),
        Kind("ironport.no_transaction", "ICID {icid} disconnected address {_}, no messages injected within timeout period", EventNames.NoTransaction, IronportStep.ConnectionSignal),
        Kind("ironport.timeout", "ICID {icid} disconnected address {_}, exceeded allowable connection time", EventNames.Timeout, IronportStep.ConnectionSignal),
        Kind("ironport.no_transaction", "ICID {icid} Connection from {_} lost after {detail}, before any commands were received", EventNames.NoTransaction, IronportStep.ConnectionSignal),

        // SMTP AUTH, in the wordings of AsyncOS 7 and later ("SMTP Auth:") and before ("SMTP Auth").
        .. Auth("SMTP Auth: (ICID {icid}) "),
        .. Auth("SMTP Auth (ICID {icid}) "),
        Note("ironport.auth_forward", "SMTP Auth forward server {_}"),
        Note("ironport.auth_ldap", "SMTP Auth LDAP query failed{_}"),

        // A message from its start to its end.
        Kind("ironport.message_start", "Start MID {mid} ICID {icid}", null, IronportStep.MessageStart),
        Note("ironport.system_message", "MID {mid} From: <{_}> To: {_} total recipients"),
        Kind("ironport.from", "MID {mid} ICID {icid} From: {mail_from}", null, IronportStep.Sender),
        Kind("ironport.from", "MID {mid} From: {mail_from}", null, IronportStep.Sender),
        Kind("ironport.rcpt", "MID {mid} ICID {icid} RID {rid} To: {rcpt_to}", null, IronportStep.Recipient),
        Kind("ironport.rcpt", "MID {mid} RID {rid} To: {rcpt_to}", null, IronportStep.Recipient),
        Kind("ironport.rcpt_reject", "MID {mid} ICID {icid} To: {rcpt_to} Rejected by {rejected_by}", EventNames.RcptReject, IronportStep.RecipientRefused),
        Kind("ironport.rcpt_reject", "MID {mid} To: {rcpt_to} Rejected by {rejected_by}", EventNames.RcptReject, IronportStep.RecipientRefused),
        // Bounce verification: a bounce to an address whose mail never carried our tag, backscatter refused.
        Kind("ironport.rcpt_reject", "MID {mid} ICID {icid} invalid bounce, rcpt address {rcpt_to} rejected by bounce verification.", EventNames.RcptReject, IronportStep.RecipientRefused, Reasons.Policy),
        Kind("ironport.rcpt_reject", "MID {mid} invalid bounce, rcpt address {rcpt_to} rejected by bounce verification.", EventNames.RcptReject, IronportStep.RecipientRefused, Reasons.Policy),
        Note("ironport.invalid_bounce_tagged", "MID {mid} ICID {icid} invalid bounce, tagging"),
        Kind("ironport.message_id", "MID {mid} Message-ID {message_id}", null, IronportStep.MessageId),
        Kind("ironport.message", "MID {mid} ready {size} bytes from {mail_from}", EventNames.Message, IronportStep.Ready),
        Kind("ironport.bounce_message", "MID {mid} was generated for bounce of MID {original_mid}", EventNames.NdrSent, IronportStep.GeneratedBounce),
        Kind("ironport.bounce_message", "MID {mid} generated for bounce of MID {original_mid}", EventNames.NdrSent, IronportStep.GeneratedBounce),
        Kind("ironport.message_finished", "Message finished MID {mid} {_}", null, IronportStep.MessageFinished),

        // What the scanning engines, filters and policies said of a message: not stored.
        .. MessageNotes(
            "Subject {_}", "matched {_}", "queued for delivery", "interim {_}", "using engine: {_}", "antivirus {_}",
            "Outbreak Filters: {_}", "DMARC: {_}", "DMARC {_}", "SPF: {_}", "DKIM: {_}", "DomainKeys: {_}", "SDR: {_}",
            "URL {_}", "Custom Log Entry: {_}", "AMP {_}", "DLP {_}", "attachment {_}", "was too big {_}",
            "Could not convert character set: {_}", "Virus Threat Level{_}", "quarantine {_}", "rewritten to {_}",
            "was generated based on MID {_}", "generated based on MID {_}", "was split creating MID {_}",
            "Global unsubscribe matched entry {_}", "CASE {_}", "Brightmail {_}", "to RID [{_}] pending till {_}",
            "to [{_}] pending till {_}", "RID [{_}] Response {_}", "RID [{_}] Reinjected{_}", "Message Filters: {_}",
            "Dropped by {_}", "enqueued for {_}", "graymail {_}", "Graymail {_}", "Threat Level {_}"),

        // Delivery connections and what became of each recipient.
        Kind("ironport.delivery_connection", "New SMTP DCID {dcid} interface {_} address {next_hop_ip} port {port}", null, IronportStep.DeliveryConnection),
        Kind("ironport.delivery_connection", "New SMTP DCID {dcid} interface {_} address {next_hop_ip}", null, IronportStep.DeliveryConnection),
        Kind("ironport.delivery_connection", "New SMTP DCID {dcid} interface {_} address {next_hop_ip} {_}", null, IronportStep.DeliveryConnection),
        Note("ironport.delivery_start", "Delivery start DCID {dcid} MID {mid} to {_}"),
        // A delivery may log the headers its settings ask for after the recipients: "to RID [0] [('from', …)]".
        Kind("ironport.delivery", "Message done DCID {dcid} MID {mid} to RID [{rids}] {_}", EventNames.Delivery, IronportStep.Delivered),
        Kind("ironport.delivery", "Message done DCID {dcid} MID {mid} to RID [{rids}]", EventNames.Delivery, IronportStep.Delivered),
        Kind("ironport.delivery", "Message done DCID {dcid} MID {mid} to [{rids}]", EventNames.Delivery, IronportStep.Delivered),
        Kind("ironport.bounce", "Bounced: DCID {dcid} MID {mid} to RID {rid} - {dsn} - {reply}", EventNames.Bounce, IronportStep.DeliveryFailed),
        Kind("ironport.bounce", "Bounced: DCID {dcid} MID {mid} to RID {rid} - {dsn}", EventNames.Bounce, IronportStep.DeliveryFailed),
        Kind("ironport.defer", "Delayed: DCID {dcid} MID {mid} to RID {rid} - {dsn} - {reply}", EventNames.Defer, IronportStep.DeliveryFailed),
        Kind("ironport.defer", "Delayed: DCID {dcid} MID {mid} to RID {rid} - {dsn}", EventNames.Defer, IronportStep.DeliveryFailed),
        // AsyncOS before 3.8 wrote "DCID: n Message n to n".
        Kind("ironport.bounce", "Bounced: DCID: {dcid} Message {mid} to {rid} - {dsn} - {reply}", EventNames.Bounce, IronportStep.DeliveryFailed),
        Kind("ironport.defer", "Delayed: DCID: {dcid} Message {mid} to {rid} - {dsn} - {reply}", EventNames.Defer, IronportStep.DeliveryFailed),
        // The bounce log's own shape, when a bounce log is subscribed under the mail log's name.
        Note("ironport.bounce_note", "Bounced: {_} From:{_}"),
        Note("ironport.double_bounce", "Double bounce: {_}"),
        Note("ironport.delivery_close", "DCID {dcid} close"),
        Note("ironport.delivery_tls", "DCID {dcid} TLS {_}"),
        Note("ironport.delivery_tls", "DCID {dcid} STARTTLS{_}"),
        Note("ironport.delivery_tls", "DCID {dcid} IP {_}"),
        Note("ironport.delivery_error", "Connection Error: {_}"),
        Note("ironport.possible_delivery", "Possible Delivery: {_}"),
        Note("ironport.delivery_client", "Mail delivery client with DCID {_}"),
        Note("ironport.deleted", "Deleted: MID {_}"),

        // The appliance itself: log files, status, queues, directories, quarantines, alerts.
        Note("ironport.note", "Begin Logfile"),
        Note("ironport.note", "End Logfile"),
        Note("ironport.note", "Logfile rolled over"),
        Note("ironport.note", "Version: {_}"),
        Note("ironport.note", "Time offset from UTC: {_}"),
        Note("ironport.status", "Status: {_}"),
        Note("ironport.checkpoint", "Checkpoint {_}"),
        Note("ironport.dns", "DNS {_}"),
        Note("ironport.dns", "lame DNS {_}"),
        Note("ironport.ldap", "LDAP: {_}"),
        Note("ironport.ldap", "LDAP {_}"),
        Note("ironport.alias", "Alias match: {_}"),
        Note("ironport.suspended", "Deliveries are currently suspended{_}"),
        Note("ironport.global_unsubscribe", "Global unsubscribe matched entry {_}"),
        Note("ironport.senderbase_upload", "SenderBase upload: {_}"),
        Note("ironport.senderbase_upload", "Senderbase upload: {_}"),
        Note("ironport.quarantine", "EUQ: {_}"),
        Note("ironport.quarantine", "ISQ: {_}"),
        Note("ironport.quarantine", "RPC {_}"),
        Note("ironport.quarantine", "Start delivery of MID {_} over RPC {_}"),
        Note("ironport.quarantine", "Delivery of MID {_} over RPC {_}"),
        Note("ironport.smtp_process", "SMTP server connection killed {_}"),
        Note("ironport.smtp_process", "SMTP client connection killed {_}"),
        Note("ironport.smtp_process", "SMTP server shut down{_}"),
        Note("ironport.smtp_process", "SMTP server starting{_}"),
        Note("ironport.smtp_process", "QMQP {_}"),
        Note("ironport.smtp_process", "QMTP {_}"),
        Note("ironport.smtp_process", "Incoming {_} connection undetermined IP {_}"),
        Note("ironport.internal_smtp", "Internal SMTP {_}"),
        Note("ironport.alert", "{_} alert was sent to {_}"),
        Note("ironport.service", "graymail {_}"),
        Note("ironport.service", "URL_REP_CLIENT: {_}"),
    ];

    /// <summary>The kind of that name, for writers of AsyncOS lines.</summary>
    public static IronportKind Kind(string name) =>
        All.FirstOrDefault(k => k.Line.Name == name) ?? throw new ArgumentException($"AsyncOS has no line kind named {name}.", nameof(name));

    private static IronportKind Kind(string name, string template, string? @event, IronportStep step, string? reason = null) =>
        new(@event is null ? LineKind.Skipped(name, template) : new LineKind(name, template, @event), step, reason);

    private static IronportKind Note(string name, string template) => new(LineKind.Skipped(name, template), IronportStep.Note);

    /// <summary>The outcome of SMTP AUTH after <paramref name="head"/> (<c>SMTP Auth: (ICID 5) </c>).</summary>
    private static IronportKind[] Auth(string head) =>
    [
        Kind("ironport.auth_success", head + "succeeded for user: {sasl_user} using AUTH mechanism: {sasl_method} with profile: {_}", null, IronportStep.AuthSucceeded),
        Kind("ironport.auth_failure", head + "failed for user: {sasl_user} using AUTH mechanism: {sasl_method} with profile: {_}", EventNames.AuthFailure, IronportStep.AuthFailed),
        // A user the directory does not know: a guesser's name as surely as a wrong password.
        Kind("ironport.auth_failure", head + "LDAP query/user lookup failed for user: {sasl_user}", EventNames.AuthFailure, IronportStep.AuthFailed),
        Kind("ironport.auth_failure", head + "failed{detail}", EventNames.AuthFailure, IronportStep.AuthFailed),
        Kind("ironport.auth_required", head + "was required but remote host did not initiate it", EventNames.Reject, IronportStep.ConnectionSignal, Reasons.Policy),
        Note("ironport.auth_note", head + "profile: {_}"),
        Note("ironport.auth_note", head + "could not reach forwarding server {_}"),
    ];

    private static IEnumerable<IronportKind> MessageNotes(params string[] wordings) =>
        wordings.Select(w => Note("ironport.message_note", "MID {mid} " + w));
}
