using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Domino;

/// <summary>
/// The kinds of line the mail tasks of a Domino server write to its console, in Domino's wording, by task; tried
/// in order, first match wins. A mail task's line that matches none is unrecognised, so a new wording shows in
/// the data-quality counts; other tasks' lines (HTTP, agents, replication, …) are skipped as a whole.
/// </summary>
internal static class DominoLineKinds
{
    /// <summary>The SMTP listener, after <c>SMTP Server:</c> (or <c>SMTP Server [pid:tid]</c>).</summary>
    public static readonly DominoKind[] Listener =
    [
        Read(DominoReading.Originator, "domino.originator", "Originator: {mail_from}", null),
        Skipped("domino.recipient", "Recipient: {_}"),
        Read(DominoReading.Received, "domino.message", "Message {note_id} (MessageID: {_}) received{_}", EventNames.Message),
        Read(DominoReading.PasswordFailure, "domino.auth_failure", "Authentication failed for {_}", EventNames.AuthFailure),
        Read(DominoReading.PasswordSuccess, "domino.auth_success", "Authentication succeeded for {_}", null),
        Read(DominoReading.ForgedSender, "domino.sender_reject", "Message rejected. Authenticated user {_}", EventNames.Reject),
        Read(DominoReading.Refusal, "domino.connect_reject", "Connection from {_}", EventNames.Reject),
        // The listener about itself.
        Skipped("domino.smtp_started", "Started{_}"),
        Skipped("domino.smtp_listening", "Listening for connect requests on {_}"),
        Skipped("domino.smtp_shutdown", "Shutdown{_}"),
        Skipped("domino.smtp_stopping", "Stopping{_}"),
        // The lines that start with the client: a host name, an address, or both (mx1.ours.example (10.20.0.11)).
        Read(DominoReading.Connected, "domino.connect", "{client} connected", EventNames.Connect),
        Read(DominoReading.Disconnected, "domino.disconnect", "{client} disconnected{detail}", EventNames.Disconnect),
        // Blocklist hits ("203.0.113.45 found in DNS Blacklist at bl.example.org"), whatever else the line says.
        // The client of these and of the refusals below is the first address the line names, else the session's.
        Read(DominoReading.Refusal, "domino.dnsbl", "{_}Blacklist{_}", EventNames.Dnsbl),
        Read(DominoReading.Refusal, "domino.dnsbl", "{_}blacklist{_}", EventNames.Dnsbl),
        Read(DominoReading.Refusal, "domino.dnsbl", "{_}DNSBL{_}", EventNames.Dnsbl),
        // Refusals: of the recipient they name in angle brackets, else of the client ("Recipient <x> rejected for
        // host (ip): 550 …", "Relay rejected for policy reasons. Relaying from ip to <x> is not permitted", and
        // the other wordings of custom error texts and older releases).
        Read(DominoReading.RecipientRefusal, "domino.rcpt_reject", "Recipient <{_}> rejected for {_}", EventNames.RcptReject),
        Read(DominoReading.RecipientRefusal, "domino.rcpt_reject", "Relay rejected for policy reasons. {_}", EventNames.RcptReject),
        Read(DominoReading.RecipientRefusal, "domino.reject", "{_}rejected{_}", EventNames.Reject),
        Read(DominoReading.RecipientRefusal, "domino.reject", "{_}Rejected{_}", EventNames.Reject),
        Read(DominoReading.RecipientRefusal, "domino.reject", "{_}denied{_}", EventNames.Reject),
        Read(DominoReading.RecipientRefusal, "domino.reject", "{_}Denied{_}", EventNames.Reject),
    ];

    /// <summary>The SMTP task's authentication lines, after <c>smtp: </c> (HTTP, LDAP, POP3 and IMAP write the same, under their own names).</summary>
    public static readonly DominoKind[] Smtp =
    [
        Read(DominoReading.InternetPasswordFailure, "domino.auth_failure", "{_}] authentication failure using internet password{_}", EventNames.AuthFailure),
    ];

    /// <summary>The Router, after <c>Router: </c>.</summary>
    public static readonly DominoKind[] Router =
    [
        // Read by DominoFieldReader.TryReadRouter, held to DominoGrammar's Delivered, Transferred and NotTransferred.
        Read(DominoReading.Routed, "domino.delivered", "Message {_} delivered to {_}", EventNames.Delivery),
        Read(DominoReading.Routed, "domino.transferred", "Message {_} transferred to {_}", EventNames.Delivery),
        Read(DominoReading.Routed, "domino.not_transferred", "Message {_} NOT transferred via {_}", EventNames.Defer),
        Read(DominoReading.DeliveryFailure, "domino.delivery_failure", "Unable to deliver message {_}", EventNames.Bounce),
        Read(DominoReading.DeliveryFailure, "domino.delivery_failure", "Unable to Deliver message {_}", EventNames.Bounce),
        // The Router's other notes about a message (held, expired copies, …) and about its own work.
        Skipped("domino.router_message_note", "Message {_}"),
        Skipped("domino.router_note", "Transferring {_}"),
        Skipped("domino.router_note", "Transferred {_}"),
        Skipped("domino.router_note", "No messages transferred {_}"),
        Skipped("domino.router_note", "Delivered {_}"),
        Skipped("domino.router_note", "Starting{_}"),
        Skipped("domino.router_note", "Started{_}"),
        Skipped("domino.router_note", "Shutdown{_}"),
        Skipped("domino.router_note", "Searching for mail{_}"),
    ];

    /// <summary>
    /// The kinds of the mail task that wrote <paramref name="text"/> (the text after the prefix), the text moved past
    /// the task's name; null for another task. The listener's own <c>[pid:tid]</c> (Windows) fills
    /// <paramref name="thread"/> when the prefix named none.
    /// </summary>
    public static DominoTask? OfTask(ref ReadOnlySpan<char> text, ref ReadOnlySpan<char> thread)
    {
        if (text.StartsWith("smtp: "))
        {
            text = text["smtp: ".Length..];
            return SmtpTask;
        }

        if (text.StartsWith("Router: "))
        {
            text = text["Router: ".Length..];
            return RouterTask;
        }

        if (!text.StartsWith("SMTP Server"))
        {
            return null;
        }

        text = text["SMTP Server".Length..];
        if (text.StartsWith(" [") && text.IndexOf(']') is var close and > 0)
        {
            var inner = text[2..close];
            thread = thread.IsEmpty ? (inner.IndexOf('-') is var dash and >= 0 ? inner[..dash] : inner) : thread;
            text = text[(close + 1)..];
        }

        text = text.TrimStart(':').TrimStart(' ');
        return ListenerTask;
    }

    private static readonly DominoTask ListenerTask = new(Listener, "unknown domino smtp server line");

    private static readonly DominoTask SmtpTask = new(Smtp, "unknown domino smtp line");

    private static readonly DominoTask RouterTask = new(Router, "unknown domino router line");

    private static DominoKind Read(DominoReading reading, string name, string template, string? eventName) => new(reading, new LineKind(name, template, eventName));

    private static DominoKind Skipped(string name, string template) => new(DominoReading.Skipped, LineKind.Skipped(name, template));
}
