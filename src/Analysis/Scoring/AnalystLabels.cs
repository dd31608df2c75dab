using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Scoring;

/// <summary>An analyst's verdict on an address or network, as in force.</summary>
public sealed record AnalystLabel(string Subject, string Verdict, string Note, string LabelledBy, DateTime LabelledAt)
{
    public const string Bad = "bad";
    public const string Good = "good";
    public const string Cleared = "cleared";
}

/// <summary>
/// The <c>ip_labels</c> table: analysts' verdicts, append-only. The latest row per subject is in force;
/// every earlier one stays as the record of who said what and when.
/// </summary>
public static class AnalystLabels
{
    private const int MaxNoteLength = 1000;

    /// <summary>Checks a subject an analyst typed; the message says what is wrong.</summary>
    /// <exception cref="ArgumentException">Not an address or CIDR, or a network too wide to label as one sender.</exception>
    public static string Normalise(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var canonical = Subjects.Canonical(subject)
            ?? throw new ArgumentException($"'{subject}' is neither an IP address nor a network in CIDR notation (such as 192.0.2.0/24).");
        var network = Subjects.ParseNetwork(canonical)!.Value;
        var floor = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 16 : 32;
        if (network.PrefixLength < floor)
        {
            throw new ArgumentException($"{canonical} is wider than a /{floor}; label a sender's address or its own network, not a region of the Internet.");
        }

        return canonical;
    }

    /// <summary>Records a verdict (<see cref="AnalystLabel.Bad"/>, <see cref="AnalystLabel.Good"/> or <see cref="AnalystLabel.Cleared"/>).</summary>
    /// <exception cref="ArgumentException">The subject, verdict or note is unusable; the message says why.</exception>
    public static async Task<AnalystLabel> AddAsync(IClickHouseStore store, string subject, string verdict, string? note, string labelledBy, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        if (verdict is not (AnalystLabel.Bad or AnalystLabel.Good or AnalystLabel.Cleared))
        {
            throw new ArgumentException($"The verdict must be {AnalystLabel.Bad}, {AnalystLabel.Good} or {AnalystLabel.Cleared}, not '{verdict}'.");
        }

        if (note is { Length: > MaxNoteLength })
        {
            throw new ArgumentException($"The note is {note.Length} characters long; keep it under {MaxNoteLength}.");
        }

        var label = new AnalystLabel(Normalise(subject), verdict, note ?? string.Empty, labelledBy, clock.GetUtcNow().UtcDateTime);
        await store.InsertRowAsync("ip_labels", new Dictionary<string, object>
        {
            ["subject"] = label.Subject,
            ["verdict"] = label.Verdict,
            ["note"] = label.Note,
            ["labelled_by"] = label.LabelledBy,
            ["labelled_at"] = label.LabelledAt.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        }, cancellationToken).ConfigureAwait(false);
        return label;
    }

    /// <summary>The verdicts in force (the latest per subject, cleared ones left out), newest first.</summary>
    public static async Task<IReadOnlyList<AnalystLabel>> InForceAsync(IClickHouseStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = await store.QueryListAsync(
            """
            SELECT subject, argMax(verdict, labelled_at) AS verdict, argMax(note, labelled_at), argMax(labelled_by, labelled_at), max(labelled_at) AS at
            FROM ip_labels
            GROUP BY subject
            HAVING verdict != 'cleared'
            ORDER BY at DESC, subject
            """,
            null,
            cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new AnalystLabel(r[0], r[1], r[2], r[3],
            DateTime.Parse(r[4], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)))];
    }

    internal static IPNetwork NetworkOf(string subject) => Subjects.ParseNetwork(subject) ?? throw new FormatException($"'{subject}' in ip_labels is not an address or network.");
}
