using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// Reads Exim's mainlog — native (<c>2026-11-24 10:00:00 …</c>) or through syslog (<c>exim[123]: …</c>) —
/// by walking <see cref="EximLineKinds"/>: after the prefix (<see cref="EximPrefix"/>), a line that starts
/// with a message id is matched against the message kinds, any other against the connection kinds, and
/// the first kind whose template matches reads it (<see cref="EximEvents"/>), correlated by
/// <see cref="EximCorrelation"/>. A line of no kind is unrecognised, with the reason.
/// </summary>
internal sealed class EximParser : ILogParser
{
    private const int SweepEvery = 50_000;
    private const int MaxCaptures = 8;

    private readonly EximCorrelation correlation = new();
    private readonly EximEvents events;
    private long linesSinceSweep;

    public EximParser() => events = new EximEvents(correlation);

    public string Source => "exim";

    /// <inheritdoc cref="EximCorrelation.Horizon"/>
    public TimeSpan Horizon
    {
        get => correlation.Horizon;
        init => correlation.Horizon = value;
    }

    public int OpenSessions => correlation.OpenSessions;

    public int OpenMessages => correlation.OpenMessages;

    /// <inheritdoc cref="EximPrefix.IsRejectLog"/>
    public static bool IsRejectLog(string file) => EximPrefix.IsRejectLog(file);

    /// <inheritdoc cref="EximPrefix.LooksNative"/>
    public static bool LooksNative(string line) => EximPrefix.LooksNative(line);

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (EximPrefix.IsRejectLog(origin.File))
        {
            // The rejectlog repeats the mainlog's refusals, with the headers of the messages refused after DATA.
            return LineResult.Skipped("exim.rejectlog");
        }

        if (!EximPrefix.TryRead(line, origin, out var timestamp, out var relay, out var bodyStart, out var why))
        {
            return why is null ? LineResult.Skipped("other program") : LineResult.Unrecognised(why);
        }

        if (++linesSinceSweep >= SweepEvery)
        {
            linesSinceSweep = 0;
            correlation.Sweep(timestamp);
        }

        var body = line[bodyStart..].TrimEnd();
        var stamp = new EventStamp(timestamp, relay, Source, origin.File, lineNumber);
        if (EximPrefix.IsMessageId(body, out var idLength))
        {
            var id = body[..idLength].ToString();
            return Walk(EximLineKinds.MessageKinds, body[Math.Min(body.Length, idLength + 1)..], stamp, id)
                ?? LineResult.Unrecognised("unknown exim message line");
        }

        return Walk(EximLineKinds.ConnectionKinds, body, stamp, null) ?? LineResult.Unrecognised("unknown exim line");
    }

    /// <summary>The first kind whose template matches and whose reading accepts the line; null when none does.</summary>
    private LineResult? Walk(EximLineKind[] kinds, ReadOnlySpan<char> text, EventStamp stamp, string? messageId)
    {
        Span<Range> captures = stackalloc Range[MaxCaptures];
        foreach (var kind in kinds)
        {
            if (kind.Kind.Template.TryMatch(text, captures)
                && events.Read(kind, new LineFields(text, kind.Kind.Template, captures), text, stamp, messageId) is { } result)
            {
                return result;
            }
        }

        return null;
    }
}
