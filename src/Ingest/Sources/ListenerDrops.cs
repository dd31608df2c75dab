namespace RelayWatch.Ingest.Sources;

/// <summary>The listener's drops, counted by reason; safe to count from every connection at once.</summary>
public sealed class ListenerDrops
{
    private readonly long[] counts = new long[Enum.GetValues<ListenerDropReason>().Length];

    /// <summary>The name a reason is stored and shown under: <c>sender_not_allowed</c>, <c>frame_too_long</c>, ….</summary>
    public static string NameOf(ListenerDropReason reason) => reason switch
    {
        ListenerDropReason.SenderNotAllowed => "sender_not_allowed",
        ListenerDropReason.QueueFull => "queue_full",
        ListenerDropReason.FrameTooLong => "frame_too_long",
        ListenerDropReason.LineCut => "line_cut",
        ListenerDropReason.BadFrame => "bad_frame",
        ListenerDropReason.IncompleteFrame => "incomplete_frame",
        ListenerDropReason.TooManyConnections => "too_many_connections",
        ListenerDropReason.IdleTimeout => "idle_timeout",
        ListenerDropReason.TlsRejected => "tls_rejected",
        ListenerDropReason.AcceptFailed => "accept_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public long this[ListenerDropReason reason] => Interlocked.Read(ref counts[(int)reason]);

    public long Total => Enum.GetValues<ListenerDropReason>().Sum(r => this[r]);

    public void Count(ListenerDropReason reason) => Interlocked.Increment(ref counts[(int)reason]);

    /// <summary>Every reason counted so far, with its count.</summary>
    public IReadOnlyList<(ListenerDropReason Reason, long Count)> Snapshot() =>
        [.. Enum.GetValues<ListenerDropReason>().Select(r => (r, this[r])).Where(c => c.Item2 > 0)];

    /// <summary>"3 sender_not_allowed, 1 frame_too_long", or empty when nothing was dropped.</summary>
    public override string ToString() =>
        string.Join(", ", Snapshot().Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Count:N0} {NameOf(c.Reason)}")));
}
