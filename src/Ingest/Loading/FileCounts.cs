namespace RelayWatch.Ingest.Loading;

/// <summary>What became of a file's lines so far.</summary>
/// <param name="Events">Lines that gave one event or more (including <paramref name="Expired"/> ones): a count of lines, so that
/// every line is counted once; a line naming several recipients gives one event row per recipient.</param>
/// <param name="Repaired">Lines that had to be repaired (invalid UTF-8, NUL bytes, over-long, unterminated); they are still parsed.</param>
/// <param name="Expired">Events older than the store keeps (its retention), so not stored.</param>
public sealed record FileCounts(long Events, long Skipped, long Unrecognised, long Repaired, long Expired = 0)
{
    public static FileCounts Zero { get; } = new(0, 0, 0, 0);

    public long Lines => Events + Skipped + Unrecognised;

    public static FileCounts operator +(FileCounts a, FileCounts b) =>
        new(a.Events + b.Events, a.Skipped + b.Skipped, a.Unrecognised + b.Unrecognised, a.Repaired + b.Repaired, a.Expired + b.Expired);

    public static FileCounts operator -(FileCounts a, FileCounts b) =>
        new(a.Events - b.Events, a.Skipped - b.Skipped, a.Unrecognised - b.Unrecognised, a.Repaired - b.Repaired, a.Expired - b.Expired);
}
