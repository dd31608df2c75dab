using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats;

/// <param name="Kind">The line kind (<c>smtpd.connect</c>), or for an unrecognised line why (<c>no syslog header</c>).</param>
/// <param name="Event">
/// The event, when <paramref name="Outcome"/> is <see cref="LineOutcome.Event"/> (the first, when the line records several:
/// <see cref="More"/>); null for an event that waits for a later line to name its context, which the parser hands over
/// later (<see cref="ILogParser.TakeReleased"/>).
/// </param>
public readonly record struct LineResult(LineOutcome Outcome, string Kind, SmtpEvent? Event)
{
    private readonly IReadOnlyList<SmtpEvent>? more;

    /// <summary>
    /// The line's other events, after <see cref="Event"/>: a record that names several recipients at once (Sendmail's
    /// <c>to=&lt;a&gt;,&lt;b&gt;</c>, AsyncOS's <c>to RID [0, 1]</c>, Exchange's <c>a@x;b@x</c>) is one event per
    /// recipient, each of the same line. Empty for every other line. The line is still one line, counted once.
    /// </summary>
    public IReadOnlyList<SmtpEvent> More { get => more ?? []; init => more = value; }

    /// <summary>Every event of the line in order: <see cref="Event"/>, then <see cref="More"/> (for tests and tools; ingest reads the two).</summary>
    public IReadOnlyList<SmtpEvent> Events => Event is null ? [] : more is null ? [Event] : [Event, .. more];

    public static LineResult Skipped(string kind) => new(LineOutcome.Skipped, kind, null);

    public static LineResult Unrecognised(string why) => new(LineOutcome.Unrecognised, why, null);

    /// <summary>
    /// One event per recipient, <paramref name="shared"/> with its <c>rcpt_to</c> set, for a line that names them all;
    /// <paramref name="shared"/> itself when it names none it could read (the line's record is kept, as before).
    /// </summary>
    public static LineResult PerRecipient(string kind, SmtpEvent shared, IReadOnlyList<string> recipients) =>
        recipients.Count switch
        {
            0 => new(LineOutcome.Event, kind, shared),
            1 => new(LineOutcome.Event, kind, shared with { RcptTo = recipients[0] }),
            _ => new(LineOutcome.Event, kind, shared with { RcptTo = recipients[0] }) { More = [.. recipients.Skip(1).Select(r => shared with { RcptTo = r })] },
        };

    /// <summary>The events of a line that records several (<paramref name="events"/> not empty), the first as <see cref="Event"/>.</summary>
    public static LineResult Several(string kind, IReadOnlyList<SmtpEvent> events) =>
        events.Count == 1 ? new(LineOutcome.Event, kind, events[0]) : new(LineOutcome.Event, kind, events[0]) { More = [.. events.Skip(1)] };
}
