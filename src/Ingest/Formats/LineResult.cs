using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats;

/// <param name="Kind">The line kind (<c>smtpd.connect</c>), or for an unrecognised line why (<c>no syslog header</c>).</param>
/// <param name="Event">
/// The event, when <paramref name="Outcome"/> is <see cref="LineOutcome.Event"/>; null for an event that
/// waits for a later line to name its context, which the parser hands over later (<see cref="ILogParser.TakeReleased"/>).
/// </param>
public readonly record struct LineResult(LineOutcome Outcome, string Kind, SmtpEvent? Event)
{
    public static LineResult Skipped(string kind) => new(LineOutcome.Skipped, kind, null);

    public static LineResult Unrecognised(string why) => new(LineOutcome.Unrecognised, why, null);
}
