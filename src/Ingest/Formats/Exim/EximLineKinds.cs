using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// The kinds of line Exim writes to its mainlog, each a template (see <see cref="TemplateGrammar"/>) in
/// Exim's own wording, tried in order, first match wins. <c>{client}</c> is a host specification
/// (<c>name (helo) [ip]:port</c>, read by <see cref="EximFieldReader.TryReadHost"/>), <c>{fields}</c> a field
/// list (<c>H=… F=&lt;…&gt;</c>, read by <see cref="EximFieldReader"/>); other names are
/// <c>smtp_events</c> columns or text of no interest (<c>_</c>). A line of none of these kinds is
/// unrecognised with a reason, so a new wording shows in the data-quality section instead of vanishing.
/// This table is the single source of truth for what RelayWatch understands of Exim.
/// </summary>
internal static class EximLineKinds
{
    /// <summary>What Exim writes after the client of an <c>SMTP connection from</c> line (after its own <c>I=</c>, <c>Ci=</c> and <c>U=</c>).</summary>
    private static readonly LineKind[] ConnectionTails =
    [
        new("exim.connect", "", EventNames.Connect),
        new("exim.connect", "(TCP/IP connection count = {_})", EventNames.Connect),
        new("exim.disconnect", "closed by QUIT{_}", EventNames.Disconnect),
        new("exim.disconnect", "closed by EOF{_}", EventNames.Disconnect),
        new("exim.disconnect", "closed after {_}", EventNames.Disconnect),
        new("exim.disconnect", "D={_}", EventNames.Disconnect),
        new("exim.lost_connection", "lost{_}", EventNames.LostConnection),
        // An ACL's "drop" verb ended the connection: a refusal of the client (fail2ban's exim filter, "closed by DROP in ACL").
        new("exim.acl_drop", "closed by DROP in ACL{_}", EventNames.Reject),
    ];

    /// <summary>
    /// Why the daemon refused a connection before any SMTP (after the client's <c>I=</c>): its per-host limit,
    /// <c>smtp_accept_max_per_host</c>, is the client's doing; the others (the server's load, its own limit) are not.
    /// </summary>
    private static readonly LineKind[] RefusedTails =
    [
        new("exim.rate_limited", "refused: too many connections from that IP address", EventNames.RateLimited),
        LineKind.Skipped("exim.connection_refused", "{_}"),
    ];

    /// <summary>The client's transaction ended in too many bad commands; Exim names the last one.</summary>
    private static readonly LineKind[] DroppedTails = [new("exim.too_many_errors", "dropped: too many {_}", EventNames.TooManyErrors)];

    /// <summary>Lines about a connection rather than a message.</summary>
    public static EximLineKind[] ConnectionKinds { get; } =
    [
        new(new("exim.connection", "SMTP connection from {client}", null), EximReading.Connection, ConnectionTails),
        .. Refusals(forMessages: false),
        .. AuthenticatorFailures,
        new(new("exim.helo_reject", "rejected HELO from {client}", EventNames.Reject), EximReading.HeloRefusal, code: 550),
        new(new("exim.helo_reject", "rejected EHLO from {client}", EventNames.Reject), EximReading.HeloRefusal, code: 550),
        new(new("exim.synchronization_error", "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H={client}", EventNames.Pipelining), EximReading.SynchronizationError),
        new(new("exim.synchronization_error", "SMTP protocol synchronization error (next input sent too soon: {_}): rejected \"{command}", EventNames.Pipelining), EximReading.SynchronizationError),
        new(new("exim.protocol_error", "SMTP protocol error in \"{command}", EventNames.ProtocolViolation), EximReading.ProtocolError),
        new(new("exim.protocol_error", "SMTP syntax error in \"{command}", EventNames.ProtocolViolation), EximReading.ProtocolError),
        new(new("exim.timeout", "SMTP command timeout on connection from {client}", EventNames.Timeout), EximReading.Client),
        new(new("exim.lost_connection", "unexpected disconnection while reading SMTP command from {client}", EventNames.LostConnection), EximReading.Client),
        // A client that connected and never started a transaction: a scanner, a prober, a failed login attempt.
        new(new("exim.no_mail", "no MAIL in SMTP connection from {client}", EventNames.NoTransaction), EximReading.Client),
        new(new("exim.too_many_errors", "SMTP call from {client}", EventNames.TooManyErrors), EximReading.Client, DroppedTails),
        // Verification's own note; when the ACL refuses, Exim logs the refusal with the client next
        // ("rejected RCPT <…>: Sender verify failed"), which is the event. Stored too, it would count twice.
        EximLineKind.Skipped("exim.sender_verify_note", "{fields} sender verify fail for <{_}"),
        EximLineKind.Skipped("exim.sender_verify_note", "{fields} sender verify defer for <{_}"),
        EximLineKind.Skipped("exim.sender_verify_note", "sender verify {_}"),
        // An ACL's "discard": the recipient is accepted and dropped, by the configuration's choice.
        EximLineKind.Skipped("exim.rcpt_discarded", "{fields} RCPT <{_}>: discarded by {_}"),
        new(new("exim.warning", "{fields} Warning: {detail}", null), EximReading.Warning),
        // Any other command an ACL refused (VRFY, EXPN, ETRN, AUTH, STARTTLS), and an ACL's "drop"; after
        // the notes above, whose texts may quote a remote server's "rejected".
        new(new("exim.command_reject", "{fields} rejected {rest}", EventNames.Reject), EximReading.Refusal, code: 550),
        new(new("exim.acl_drop", "{fields} dropped by {rest}", EventNames.Reject), EximReading.Refusal, code: 550),
        // Exim's own notes about itself and its plumbing.
        EximLineKind.Skipped("exim.queue_run", "Start queue run: {_}"),
        EximLineKind.Skipped("exim.queue_run", "End queue run: {_}"),
        EximLineKind.Skipped("exim.daemon_started", "exim {_} daemon started: {_}"),
        EximLineKind.Skipped("exim.reverse_dns", "no host name found for IP address {_}"),
        EximLineKind.Skipped("exim.reverse_dns", "no IP address found for host {_}"),
        EximLineKind.Skipped("exim.tls_error", "TLS error on connection {_}"),
        EximLineKind.Skipped("exim.tls_session", "TLS session: {_}"),
        EximLineKind.Skipped("exim.tls_verify", "[{_}] SSL verify error: {_}"),
        new(LineKind.Skipped("exim.connection_refused", "Connection from {client}"), EximReading.Client, RefusedTails),
        EximLineKind.Skipped("exim.data_timeout", "SMTP data timeout (message abandoned) on connection from {_}"),
        EximLineKind.Skipped("exim.lost_after_dot", "SMTP connection lost after final dot{_}"),
        EximLineKind.Skipped("exim.config_warning", "Warning: {_}"),
        EximLineKind.Skipped("exim.config_warning", "WARNING: {_}"),
        EximLineKind.Skipped("exim.panic_log", "LOG: {_}"),
        EximLineKind.Skipped("exim.arguments", "cwd={_}"),
        EximLineKind.Skipped("exim.dkim", "DKIM: {_}"),
        EximLineKind.Skipped("exim.spool", "Spool file {_}"),
        EximLineKind.Skipped("exim.spool", "Format error in spool file {_}"),
        EximLineKind.Skipped("exim.spool", "spool directory space check failed{_}"),
        // sa-exim, the SpamAssassin local_scan(): its verdicts; a refusal is logged as "rejected by local_scan()".
        EximLineKind.Skipped("exim.sa_exim", "SA: {_}"),
    ];

    /// <summary>Lines about one message, after its id.</summary>
    public static EximLineKind[] MessageKinds { get; } =
    [
        new(new("exim.arrival", "<= {mail_from} {fields}", EventNames.Message), EximReading.Arrival),
        new(new("exim.arrival", "<= {mail_from}", EventNames.Message), EximReading.Arrival),
        .. Deliveries("=> ", "exim.delivery", EventNames.Delivery),
        .. Deliveries("-> ", "exim.delivery", EventNames.Delivery),
        .. Deliveries("== ", "exim.defer", EventNames.Defer),
        .. Deliveries("** ", "exim.bounce", EventNames.Bounce),
        EximLineKind.Skipped("exim.suppressed_delivery", "*> {_}"),
        EximLineKind.Skipped("exim.cutthrough_delivery", ">> {_}"),
        new(LineKind.Skipped("exim.completed", "Completed"), EximReading.Completed),
        new(LineKind.Skipped("exim.completed", "Completed {_}"), EximReading.Completed),
        .. Refusals(forMessages: true),
        new(new("exim.connection", "SMTP connection from {client}", null), EximReading.Connection, ConnectionTails),
        .. AuthenticatorFailures,
        // What happened to the message in the queue: Exim's own words, nothing RelayWatch stores.
        EximLineKind.Skipped("exim.frozen", "Frozen{_}"),
        EximLineKind.Skipped("exim.frozen", "frozen by {_}"),
        EximLineKind.Skipped("exim.frozen", "Unfrozen by {_}"),
        EximLineKind.Skipped("exim.frozen", "Message is frozen"),
        EximLineKind.Skipped("exim.removed", "removed by {_}"),
        EximLineKind.Skipped("exim.cancelled", "cancelled by {_}"),
        EximLineKind.Skipped("exim.queued", "no immediate delivery: {_}"),
        EximLineKind.Skipped("exim.error_ignored", "{_}: error ignored"),
        EximLineKind.Skipped("exim.recipients_ignored", "original recipients ignored {_}"),
        EximLineKind.Skipped("exim.router_note", "{_} router: skipped error: {_}"),
        EximLineKind.Skipped("exim.rewrite_note", "qualify/rewrite: {_}"),
        EximLineKind.Skipped("exim.spool", "Spool file {_}"),
        EximLineKind.Skipped("exim.spool", "Format error in spool file {_}"),
        // A delivery attempt's trouble with a remote server (H= is that server, not a client); the
        // defer or bounce line that follows is the event.
        EximLineKind.Skipped("exim.remote_error", "H={_}: {_}"),
        EximLineKind.Skipped("exim.remote_error", "H={_} Connection refused"),
        EximLineKind.Skipped("exim.remote_error", "H={_} Connection timed out"),
        EximLineKind.Skipped("exim.remote_error", "H={_} Network Error"),
        EximLineKind.Skipped("exim.remote_error", "SMTP timeout after {_}"),
        EximLineKind.Skipped("exim.tls_error", "TLS error on connection {_}"),
        EximLineKind.Skipped("exim.tls_session", "TLS session: {_}"),
        EximLineKind.Skipped("exim.tls_verify", "[{_}] SSL verify error: {_}"),
        EximLineKind.Skipped("exim.dane", "DANE {_}"),
        EximLineKind.Skipped("exim.prdr", "PRDR R=<{_}"),
        EximLineKind.Skipped("exim.dkim", "DKIM: {_}"),
        // sa-exim threw the message away after accepting it ("SAdevnull"): the client's spam, refused in all but the reply.
        new(new("exim.sa_tossed", "SA: Action: silently tossed message: {detail}", EventNames.Reject), EximReading.SpamTossed),
        // A message it flagged and let through: its "<=" line, logged next, is the client's row.
        EximLineKind.Skipped("exim.sa_accepted", "SA: Action: flagged as Spam but accepted{_}"),
        // Its other verdicts: a refusal is logged again as "rejected by local_scan()", an accepted message by its "<=" line.
        EximLineKind.Skipped("exim.sa_exim", "SA: {_}"),
        new(new("exim.warning", "{fields} Warning: {detail}", null), EximReading.Warning),
    ];

    /// <summary>
    /// An authenticator's failure, in every prefix form Exim writes: <c>NAME authenticator failed for (helo) [ip]:port: 535 …</c>,
    /// <c>… failed for H=(helo) [ip] U=user: …</c>, and <c>NAME authenticator failed H=(helo) [ip] 503 …</c>.
    /// </summary>
    private static EximLineKind[] AuthenticatorFailures =>
    [
        new(new("exim.auth_failure", "{authenticator} authenticator failed for {client}", EventNames.AuthFailure), EximReading.AuthFailure),
        new(new("exim.auth_failure", "{authenticator} authenticator failed {client}", EventNames.AuthFailure), EximReading.AuthFailure),
    ];

    /// <summary>
    /// Refusals, written with the client's fields first (<c>H=… F=&lt;…&gt;</c>, then <c>temporarily</c> when
    /// the refusal is), then what was refused and after <c>: </c> why. In a connection's lines the fields
    /// must start with the client (<c>H=</c>, or <c>U=</c> for a local one).
    /// </summary>
    private static EximLineKind[] Refusals(bool forMessages)
    {
        EximLineKind Refusal(string name, string template, string @event) => new(new(name, template, @event), EximReading.Refusal, code: 550);

        return forMessages
            ? [
                Refusal("exim.reject_data", "{fields} rejected after DATA{rest}", EventNames.Reject),
                Refusal("exim.reject_data", "{fields} rejected by non-SMTP ACL{rest}", EventNames.Reject),
                // local_scan() (SpamAssassin through sa-exim, say) refuses a message after DATA as an ACL would.
                Refusal("exim.reject_data", "{fields} rejected by local_scan(){rest}", EventNames.Reject),
            ]
            : [
                Refusal("exim.rcpt_reject", "{fields} rejected RCPT <{rcpt_to}>{rest}", EventNames.RcptReject),
                Refusal("exim.rcpt_reject", "rejected RCPT <{rcpt_to}>{rest}", EventNames.RcptReject),
                // A local submission's recipient, unqualified and without brackets: "U=CALLER F=<> rejected RCPT r1@x: …".
                Refusal("exim.rcpt_reject", "{fields} rejected RCPT {rest}", EventNames.RcptReject),
                Refusal("exim.mail_reject", "{fields} rejected MAIL <{mail_from}>{rest}", EventNames.Reject),
                Refusal("exim.mail_reject", "{fields} rejected MAIL {rest}", EventNames.Reject),
                // Also "temporarily rejected connection in", with "temporarily" ending the client's fields.
                new(new("exim.connect_reject", "{fields} rejected connection in {rest}", EventNames.Reject), EximReading.ConnectRefusal, code: 550),
                Refusal("exim.reject_data", "{fields} rejected after DATA{rest}", EventNames.Reject),
                Refusal("exim.helo_acl_reject", "{fields} rejected EHLO or HELO {rest}", EventNames.Reject),
            ];
    }

    /// <summary>A recipient's delivery, defer or bounce: <c>rcpt &lt;original&gt; R=… T=… H=…</c>, defers and bounces ending in <c>: reason</c>.</summary>
    private static EximLineKind[] Deliveries(string flag, string name, string @event) =>
    [
        new(new(name, flag + "{rcpt_to} {fields}", @event), EximReading.Delivery),
        new(new(name, flag + "{rcpt_to}", @event), EximReading.Delivery),
    ];
}
