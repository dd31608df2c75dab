using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// The kinds of record Exchange's transport logs hold, in Exchange's own wording (see
/// <see cref="TemplateGrammar"/>). A message tracking record's kind is its <c>event-id</c>; a protocol log
/// record's kind is its <c>event</c> (<c>+</c> connect, <c>-</c> disconnect, <c>&lt;</c> the client's
/// command, <c>&gt;</c> the server's reply, <c>*</c> the server's information) and the text of one of its
/// columns, tried in order, first match wins. An event-id, event or reply no row names is unrecognised,
/// so a new wording shows in the data-quality counts. This table is the single source of truth for what
/// RelayWatch understands of Exchange.
/// </summary>
internal static class ExchangeLineKinds
{
    /// <summary>Message tracking's <c>event-id</c> values (Microsoft's list of event types), each matched whole.</summary>
    public static IReadOnlyList<ExchangeKind> Tracking { get; } =
    [
        Kind("exchange.receive", "RECEIVE", EventNames.Message, ExchangeStep.Receive),
        Kind("exchange.send", "SEND", EventNames.Delivery, ExchangeStep.Send),
        Kind("exchange.deliver", "DELIVER", EventNames.Delivery, ExchangeStep.Deliver),
        Kind("exchange.fail", "FAIL", EventNames.Bounce, ExchangeStep.Outcome),
        Kind("exchange.defer", "DEFER", EventNames.Defer, ExchangeStep.Outcome),
        Kind("exchange.dsn", "DSN", EventNames.NdrSent, ExchangeStep.Outcome),
        // The transport's own bookkeeping: agents, routing, expansion, moderation, shadow redundancy, queues.
        .. TrackingNotes(
            "AGENTINFO", "BADMAIL", "CLIENTSUBMISSION", "DELIVERFAIL", "DROP", "DUPLICATEDELIVER", "DUPLICATEEXPAND",
            "DUPLICATEREDIRECT", "EXPAND", "HADISCARD", "HARECEIVE", "HAREDIRECT", "HAREDIRECTFAIL", "INITMESSAGECREATED",
            "LOAD", "MODERATIONEXPIRE", "MODERATORAPPROVE", "MODERATORREJECT", "MODERATORSALLNDR", "NOTIFYMAPI",
            "NOTIFYSHADOW", "POISONMESSAGE", "PROCESS", "PROCESSMEETINGMESSAGE", "REDIRECT", "RESOLVE", "RESUBMIT",
            "RESUBMITDEFER", "RESUBMITFAIL", "SENDEXTERNAL", "SUBMIT", "SUBMITDEFER", "SUBMITFAIL", "SUPPRESSED",
            "THROTTLE", "TRANSFER"),
    ];

    /// <summary>The protocol log's events, each with the column its kinds are read from.</summary>
    public static IReadOnlyList<ExchangeProtocolEvent> Protocol { get; } =
    [
        new('+', "data", [Kind("exchange.connect", "{_}", EventNames.Connect, ExchangeStep.Connect)]),
        // The context says who ended it: Local, Remote, Remote(SocketError), ….
        new('-', "context", [Kind("exchange.disconnect", "{_}", EventNames.Disconnect, ExchangeStep.Disconnect)]),
        // The client's commands, their verbs in capitals (SMTP's verbs are case-insensitive). Every command is
        // known as what the client said; those that name the session's HELO, sender and recipient are kept.
        new('<', "data",
        [
            Kind("exchange.client_command", "EHLO {helo}", null, ExchangeStep.Helo),
            Kind("exchange.client_command", "HELO {helo}", null, ExchangeStep.Helo),
            Kind("exchange.client_command", "MAIL FROM:{mail_from}", null, ExchangeStep.Sender),
            Kind("exchange.client_command", "RCPT TO:{rcpt_to}", null, ExchangeStep.Recipient),
            Kind("exchange.client_command", "{_}", null, ExchangeStep.Command),
        ]),
        // The server's replies: what it refused, and the wordings that say why.
        new('>', "data",
        [
            Note("exchange.reply", "2{_}"),
            Note("exchange.reply", "3{_}"),
            Kind("exchange.auth_failure", "535 {detail}", EventNames.AuthFailure, ExchangeStep.Signal),
            // AUTH with a mechanism the connector does not offer: a password guesser's probe.
            Kind("exchange.protocol_violation", "504 5.7.4 Unrecognized authentication type{detail}", EventNames.ProtocolViolation, ExchangeStep.Signal),
            Kind("exchange.protocol_violation", "500 5.3.3 Unrecognized command{detail}", EventNames.ProtocolViolation, ExchangeStep.Signal),
            Kind("exchange.protocol_violation", "503 5.5.2 Send hello first{detail}", EventNames.ProtocolViolation, ExchangeStep.Signal),
            Kind("exchange.protocol_violation", "503 5.5.1 Bad sequence of commands{detail}", EventNames.ProtocolViolation, ExchangeStep.Signal),
            Kind("exchange.timeout", "421 4.4.1 Connection timed out{detail}", EventNames.Timeout, ExchangeStep.Signal),
            Kind("exchange.too_many_errors", "421 4.7.0 Too many errors on this connection{detail}", EventNames.TooManyErrors, ExchangeStep.Signal),
            // The receive connector's limits: connections per source, recipients per message, submission rate.
            Kind("exchange.rate_limited", "421 4.3.2 The maximum number of concurrent {detail}", EventNames.RateLimited, ExchangeStep.Signal),
            Kind("exchange.rate_limited", "452 4.5.3 Too many recipients{detail}", EventNames.RateLimited, ExchangeStep.Signal),
            Kind("exchange.rate_limited", "421 4.4.2 Message submission rate for this client has exceeded the configured limit{detail}", EventNames.RateLimited, ExchangeStep.Signal),
            Kind("exchange.refusal", "4{_}", null, ExchangeStep.Refusal),
            Kind("exchange.refusal", "5{_}", null, ExchangeStep.Refusal),
        ]),
        // The server's notes on the session (permissions, certificates, TLS, tarpitting): hundreds of wordings,
        // none naming more about the client than the commands and replies do.
        new('*', "context",
        [
            Note("exchange.permissions", "Set Session Permissions"),
            Note("exchange.certificate", "Certificate {_}"),
            Note("exchange.receiving", "receiving message"),
            // The account a login authenticated as, in the data column: the session's from now on.
            new(LineKind.Skipped("exchange.authenticated", "authenticated"), ExchangeStep.Authenticated),
            Note("exchange.information", "{_}"),
        ]),
    ];

    private static ExchangeKind Kind(string name, string template, string? @event, ExchangeStep step) =>
        new(@event is null ? LineKind.Skipped(name, template) : new LineKind(name, template, @event), step);

    private static ExchangeKind Note(string name, string template) => new(LineKind.Skipped(name, template), ExchangeStep.Note);

    private static IEnumerable<ExchangeKind> TrackingNotes(params string[] eventIds) =>
        eventIds.Select(id => Note("exchange." + id.ToLowerInvariant(), id));
}
