using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Postfix;

/// <summary>
/// The grammar of Postfix's logging: for each daemon, the kinds of line it writes, each as a
/// template (see <see cref="TemplateGrammar"/>) in Postfix's own wording, tried in order, first
/// match wins. Field names are <c>smtp_events</c> columns, or <c>stage</c> and <c>status</c> that
/// pick the event; other names (<c>proto</c>, <c>delay</c>, …) are read and not stored, and <c>_</c>
/// is text of no interest. The simulator writes its lines through the same templates.
/// This table is the single source of truth for what RelayWatch understands of Postfix.
/// </summary>
internal static class PostfixGrammar
{
    private const string RejectTail = "{smtp_code} {dsn} {detail}; from=<{mail_from}> to=<{rcpt_to}> proto={proto} helo=<{helo}>";
    private const string RejectTailWithoutRecipient = "{smtp_code} {dsn} {detail}; from=<{mail_from}> proto={proto} helo=<{helo}>";
    private const string RejectTailWithoutSender = "{smtp_code} {dsn} {detail}; proto={proto} helo=<{helo}>";

    /// <summary>The event a rejection records, by the stage it happened at.</summary>
    private static readonly Dictionary<string, string?> RejectByStage = new()
    {
        ["RCPT"] = EventNames.RcptReject,
        ["CONNECT"] = EventNames.Reject,
        ["HELO"] = EventNames.Reject,
        ["EHLO"] = EventNames.Reject,
        ["MAIL"] = EventNames.Reject,
        ["DATA"] = EventNames.Reject,
        ["BDAT"] = EventNames.Reject,
        ["VRFY"] = EventNames.Reject,
        ["ETRN"] = EventNames.Reject,
        ["END-OF-MESSAGE"] = EventNames.Reject,
    };

    /// <summary>Delivery agents' <c>status=</c>, as events.</summary>
    private static readonly Dictionary<string, string?> DeliveryByStatus = new()
    {
        ["sent"] = EventNames.Delivery,
        ["deliverable"] = EventNames.Delivery,
        ["deferred"] = EventNames.Defer,
        ["bounced"] = EventNames.Bounce,
        ["expired"] = EventNames.Bounce,
        ["undeliverable"] = EventNames.Bounce,
    };

    private static readonly LineKind[] SmtpdKinds =
    [
        new("smtpd.connect", "connect from {client_host}[{client_ip}]", EventNames.Connect),
        new("smtpd.disconnect", "disconnect from {client_host}[{client_ip}]{command_counts}", EventNames.Disconnect),
        .. Rejections("smtpd.reject", "{queue_id}: reject: {stage} from {client_host}[{client_ip}]: "),
        .. Rejections("smtpd.milter_reject", "{queue_id}: milter-reject: {stage} from {client_host}[{client_ip}]: "),
        LineKind.Skipped("smtpd.warn", "{queue_id}: warn: {_}"),
        LineKind.Skipped("smtpd.discard", "{queue_id}: discard: {_}"),
        LineKind.Skipped("smtpd.hold", "{queue_id}: hold: {_}"),
        LineKind.Skipped("smtpd.filter", "{queue_id}: filter: {_}"),
        LineKind.Skipped("smtpd.redirect", "{queue_id}: redirect: {_}"),
        new("smtpd.client_sasl", "{queue_id}: client={client_host}[{client_ip}], sasl_method={sasl_method}, sasl_username={sasl_user}", PostfixParser.MessageClient),
        new("smtpd.client_orig", "{queue_id}: client={client_host}[{client_ip}], orig_queue_id={_}, orig_client={_}", PostfixParser.MessageClient),
        new("smtpd.client", "{queue_id}: client={client_host}[{client_ip}]", PostfixParser.MessageClient),
        new("smtpd.lost_connection", "lost connection after {stage} from {client_host}[{client_ip}]", EventNames.LostConnection),
        new("smtpd.lost_connection_bytes", "lost connection after {stage} ({_}) from {client_host}[{client_ip}]", EventNames.LostConnection),
        new("smtpd.timeout", "timeout after {stage} from {client_host}[{client_ip}]", EventNames.Timeout),
        new("smtpd.timeout_bytes", "timeout after {stage} ({_}) from {client_host}[{client_ip}]", EventNames.Timeout),
        new("smtpd.too_many_errors", "too many errors after {stage} from {client_host}[{client_ip}]", EventNames.TooManyErrors),
        new("smtpd.lost_connection_noqueue", "NOQUEUE: lost connection after {stage} from {client_host}[{client_ip}]", EventNames.LostConnection),
        new("smtpd.improper_pipelining", "improper command pipelining after {stage} from {client_host}[{client_ip}]: {detail}", EventNames.Pipelining),
        // Older Postfix writes no text after the client, or only the colon.
        new("smtpd.improper_pipelining_bare", "improper command pipelining after {stage} from {client_host}[{client_ip}]", EventNames.Pipelining),
        new("smtpd.improper_pipelining_colon", "improper command pipelining after {stage} from {client_host}[{client_ip}]:", EventNames.Pipelining),
        // Any mechanism spelling (LOGIN, login, CRAM-MD5), any reason or none, and the user when Postfix names it.
        new("smtpd.sasl_failed_user", "warning: {client_host}[{client_ip}]: SASL {sasl_method} authentication failed: {detail}, sasl_username={sasl_user}", EventNames.AuthFailure),
        new("smtpd.sasl_failed", "warning: {client_host}[{client_ip}]: SASL {sasl_method} authentication failed: {detail}", EventNames.AuthFailure),
        new("smtpd.sasl_failed_colon", "warning: {client_host}[{client_ip}]: SASL {sasl_method} authentication failed:", EventNames.AuthFailure),
        new("smtpd.sasl_failed_bare", "warning: {client_host}[{client_ip}]: SASL {sasl_method} authentication failed", EventNames.AuthFailure),
        new("smtpd.non_smtp", "warning: non-SMTP command from {client_host}[{client_ip}]: {detail}", EventNames.NonSmtp),
        new("smtpd.illegal_address", "warning: Illegal address syntax from {client_host}[{client_ip}] in {detail}", EventNames.ProtocolViolation),
        // anvil's limits, enforced and logged by smtpd: "Connection rate", "Connection concurrency",
        // "Message delivery request rate", "Recipient address rate", "New TLS session rate".
        new("smtpd.limit_exceeded", "warning: {detail} limit exceeded: {_} from {client_host}[{client_ip}] for service {_}", EventNames.RateLimited),
        // Forward-confirmed reverse DNS failed: the name the client's address points to does not point back.
        new("smtpd.rdns_mismatch_reason", "warning: hostname {client_host} does not resolve to address {client_ip}: {detail}", EventNames.RdnsMismatch),
        new("smtpd.rdns_mismatch", "warning: hostname {client_host} does not resolve to address {client_ip}", EventNames.RdnsMismatch),
        new("smtpd.rdns_unverified", "warning: {client_ip}: hostname {client_host} verification failed: {detail}", EventNames.RdnsMismatch),
        new("smtpd.rdns_not_listed", "warning: {client_ip}: address not listed for hostname {client_host}", EventNames.RdnsMismatch),
        // Warnings about smtpd's own plumbing, not about a client; any other warning is unrecognised, so a new wording shows.
        LineKind.Skipped("smtpd.sasl_backend", "warning: SASL authentication failure: {_}"),
        LineKind.Skipped("smtpd.sasl_backend_problem", "warning: SASL authentication problem: {_}"),
        LineKind.Skipped("smtpd.tls_warning", "warning: TLS library problem: {_}"),
        LineKind.Skipped("smtpd.table_warning", "warning: database {_} is older than source file {_}"),
        LineKind.Skipped("smtpd.dict_warning", "warning: dict_{_}"),
        LineKind.Skipped("smtpd.service_unreachable", "warning: connect to {_}"),
        LineKind.Skipped("smtpd.policy_problem", "warning: problem talking to server {_}"),
        LineKind.Skipped("smtpd.milter_warning", "warning: milter {_}"),
        LineKind.Skipped("smtpd.process_warning", "warning: process {_}"),
        LineKind.Skipped("smtpd.tls", "{_} TLS connection established from {_}"),
        LineKind.Skipped("smtpd.ssl_error", "SSL_accept error from {_}"),
        LineKind.Skipped("smtpd.table_changed", "table {_} has changed -- restarting"),
        LineKind.Skipped("smtpd.tls_error", "TLS library problem: {_}"),
        LineKind.Skipped("smtpd.statistics", "statistics: {_}"),
        LineKind.Skipped("smtpd.proxy", "proxy-{_}"),
        LineKind.Skipped("smtpd.fatal", "fatal: {_}"),
        LineKind.Skipped("smtpd.error", "error: {_}"),
    ];

    private static readonly LineKind[] PostscreenKinds =
    [
        .. Rejections("postscreen.reject", "NOQUEUE: reject: {stage} from [{client_ip}]:{client_port}: ", withCommas: true),
        new("postscreen.pregreet", "PREGREET {pregreet_bytes} after {pregreet_seconds} from [{client_ip}]:{client_port}: {detail}", EventNames.Pregreet),
        new("postscreen.dnsbl", "DNSBL rank {dnsbl_rank} for [{client_ip}]:{client_port}", EventNames.Dnsbl),
        new("postscreen.pipelining", "COMMAND PIPELINING from [{client_ip}]:{_} after {_}: {detail}", EventNames.Pipelining),
        new("postscreen.non_smtp", "NON-SMTP COMMAND from [{client_ip}]:{_} after {_}: {detail}", EventNames.NonSmtp),
        LineKind.Skipped("postscreen.connect", "CONNECT from [{client_ip}]:{client_port} to [{server_ip}]:{server_port}"),
        LineKind.Skipped("postscreen.pass", "PASS {pass_age} [{client_ip}]:{client_port}"),
        // The client hung up during postscreen's tests: a bot that gave up, as Postfix's "lost connection".
        new("postscreen.hangup", "HANGUP after {seconds} from [{client_ip}]:{client_port} in {detail}", EventNames.LostConnection),
        LineKind.Skipped("postscreen.disconnect", "DISCONNECT [{client_ip}]:{client_port}"),
        new("postscreen.command_limit", "COMMAND {detail} LIMIT from [{client_ip}]:{client_port} after {_}", EventNames.ProtocolViolation),
        new("postscreen.bare_newline", "BARE NEWLINE from [{client_ip}]:{client_port} after {detail}", EventNames.ProtocolViolation),
        LineKind.Skipped("postscreen.listed", "{listed_as}LISTED [{client_ip}]:{client_port}"),
        LineKind.Skipped("postscreen.cache", "cache {_}"),
        LineKind.Skipped("postscreen.dnsblog_timeout", "warning: dnsblog reply timeout {_}"),
        LineKind.Skipped("postscreen.dnsblog_warning", "warning: dnsblog_query: {_}"),
        LineKind.Skipped("postscreen.getpeername", "warning: getpeername: {_}"),
        LineKind.Skipped("postscreen.cache_warning", "warning: psc_cache_{_}"),
    ];

    private static readonly LineKind[] CleanupKinds =
    [
        new("cleanup.message_id", "{queue_id}: message-id=<{message_id}>", PostfixParser.MessageHeader),
        new("cleanup.message_id_bare", "{queue_id}: message-id={message_id}", PostfixParser.MessageHeader),
        .. Rejections("cleanup.milter_reject", "{queue_id}: milter-reject: {stage} from {client_host}[{client_ip}]: "),
        LineKind.Skipped("cleanup.resent_message_id", "{queue_id}: resent-message-id={_}"),
        LineKind.Skipped("cleanup.header_action", "{queue_id}: {_}: header {_}"),
        LineKind.Skipped("cleanup.body_action", "{queue_id}: {_}: body {_}"),
        LineKind.Skipped("cleanup.milter", "{queue_id}: milter-{_}"),
        LineKind.Skipped("cleanup.warning", "warning: {_}"),
    ];

    private static readonly LineKind[] QmgrKinds =
    [
        new("qmgr.queued", "{queue_id}: from=<{mail_from}>, size={size}, nrcpt={nrcpt} (queue active)", EventNames.Message),
        new("qmgr.expired", "{queue_id}: from=<{mail_from}>, status=expired, returned to sender", EventNames.Bounce),
        new("qmgr.force_expired", "{queue_id}: from=<{mail_from}>, status=force-expired, returned to sender", EventNames.Bounce),
        new("qmgr.removed", "{queue_id}: removed{_}", PostfixParser.MessageRemoved),
        LineKind.Skipped("qmgr.skipped", "{queue_id}: skipped, still being delivered"),
        LineKind.Skipped("qmgr.warning", "warning: {_}"),
    ];

    private static readonly LineKind[] DeliveryKinds =
    [
        Delivery("delivery.orig_to_conn_use", "{queue_id}: to=<{rcpt_to}>, orig_to=<{orig_rcpt_to}>, relay={next_hop}, conn_use={conn_use}, delay={delay}, delays={delays}, dsn={dsn}, status={status} ({detail})"),
        Delivery("delivery.orig_to", "{queue_id}: to=<{rcpt_to}>, orig_to=<{orig_rcpt_to}>, relay={next_hop}, delay={delay}, delays={delays}, dsn={dsn}, status={status} ({detail})"),
        Delivery("delivery.conn_use", "{queue_id}: to=<{rcpt_to}>, relay={next_hop}, conn_use={conn_use}, delay={delay}, delays={delays}, dsn={dsn}, status={status} ({detail})"),
        Delivery("delivery", "{queue_id}: to=<{rcpt_to}>, relay={next_hop}, delay={delay}, delays={delays}, dsn={dsn}, status={status} ({detail})"),
        LineKind.Skipped("delivery.host_said", "{queue_id}: host {_} said: {_}"),
        LineKind.Skipped("delivery.lost_connection", "{queue_id}: lost connection with {_}"),
        LineKind.Skipped("delivery.conversation", "{queue_id}: conversation with {_}"),
        LineKind.Skipped("delivery.enabling_pipelining", "{queue_id}: enabling PIPELINING {_}"),
        LineKind.Skipped("delivery.connect_failure", "connect to {_}"),
        LineKind.Skipped("delivery.tls", "{_} TLS connection established to {_}"),
        LineKind.Skipped("delivery.warning", "warning: {_}"),
    ];

    private static readonly LineKind[] BounceKinds =
    [
        new("bounce.ndr", "{queue_id}: sender non-delivery notification: {ndr_queue_id}", EventNames.NdrSent),
        LineKind.Skipped("bounce.dsn", "{queue_id}: sender delivery status notification: {_}"),
        LineKind.Skipped("bounce.delay", "{queue_id}: sender delay notification: {_}"),
        LineKind.Skipped("bounce.postmaster", "{queue_id}: postmaster {_}"),
        LineKind.Skipped("bounce.warning", "warning: {_}"),
    ];

    // The SPF policy service (python policyd-spf) that Postfix consults at RCPT, logged under its own
    // program name; its verdicts are evidence for the spoofing detector.
    private const string SpfFields = "identity={spf_identity}; client-ip={client_ip}; helo={helo}; envelope-from={mail_from}; receiver={_}";

    private static readonly LineKind[] SpfKinds =
    [
        new("spf.result", "{spf_result}; " + SpfFields, EventNames.Spf),
        new("spf.prepend", "prepend Received-SPF: {spf_result} ({_}) " + SpfFields, EventNames.Spf),
        new("spf.action_prepend", "Action: prepend Received-SPF: {spf_result} ({_}) " + SpfFields, EventNames.Spf),
        new("spf.action_text", "Action: prepend: Text: Received-SPF: {spf_result} ({_}) " + SpfFields, EventNames.Spf),
        LineKind.Skipped("spf.other", "{_}"),
    ];

    /// <summary>Kinds by daemon: the last part of the program name (<c>postfix/submission/smtpd</c> → <c>smtpd</c>).</summary>
    public static Dictionary<string, LineKind[]> KindsByDaemon { get; } = new Dictionary<string, LineKind[]>(StringComparer.Ordinal)
    {
        ["smtpd"] = SmtpdKinds,
        ["postscreen"] = PostscreenKinds,
        ["cleanup"] = CleanupKinds,
        ["qmgr"] = QmgrKinds,
        ["nqmgr"] = QmgrKinds,
        ["smtp"] = DeliveryKinds,
        ["lmtp"] = DeliveryKinds,
        ["local"] = DeliveryKinds,
        ["virtual"] = DeliveryKinds,
        ["pipe"] = DeliveryKinds,
        ["error"] = DeliveryKinds,
        ["retry"] = DeliveryKinds,
        ["discard"] = DeliveryKinds,
        ["bounce"] = BounceKinds,
        ["policyd-spf"] = SpfKinds,
    };

    /// <summary>The line kind of that name (<c>smtpd.connect</c>), for writers of Postfix lines.</summary>
    public static LineKind Kind(string name) =>
        KindsByDaemon.Values.SelectMany(k => k).FirstOrDefault(k => k.Name == name)
        ?? throw new ArgumentException($"Postfix has no line kind named {name}.", nameof(name));

    /// <summary>
    /// Daemons whose every line is recognised and skipped: they carry nothing about SMTP clients,
    /// envelopes or deliveries (statistics, DNS lookups for postscreen, TLS plumbing, admin tools).
    /// </summary>
    public static HashSet<string> SkippedDaemons { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "anvil", "dnsblog", "tlsproxy", "tlsmgr", "master", "pickup", "postfix-script", "postqueue", "postsuper",
        "postdrop", "sendmail", "scache", "verify", "proxymap", "trivial-rewrite", "flush", "showq", "postmap",
        "postlog", "spawn", "oqmgr", "policy-spf", "postalias", "postmulti",
    };

    /// <summary>
    /// A rejection in its shapes: with sender and recipient, without a recipient (MAIL stage),
    /// without a sender (CONNECT, HELO), and without any envelope (a line syslog cut short).
    /// Postscreen separates the envelope fields with commas.
    /// </summary>
    private static LineKind[] Rejections(string name, string head, bool withCommas = false)
    {
        string Tail(string tail) => withCommas
            ? tail.Replace("> to=", ">, to=", StringComparison.Ordinal).Replace("> proto=", ">, proto=", StringComparison.Ordinal).Replace("} helo=", "}, helo=", StringComparison.Ordinal)
            : tail;

        return
        [
            LineKind.Selecting(name, head + Tail(RejectTail), "stage", RejectByStage),
            LineKind.Selecting(name + "_without_recipient", head + Tail(RejectTailWithoutRecipient), "stage", RejectByStage),
            LineKind.Selecting(name + "_without_sender", head + Tail(RejectTailWithoutSender), "stage", RejectByStage),
            LineKind.Selecting(name + "_without_envelope", head + "{smtp_code} {dsn} {detail}", "stage", RejectByStage),
        ];
    }

    private static LineKind Delivery(string name, string template) => LineKind.Selecting(name, template, "status", DeliveryByStatus);
}
