namespace RelayWatch.Reports.Content;

/// <summary>What changed on the blocklist in the 24 hours before the report, and where it stands.</summary>
/// <param name="ListedNow">Entries in force when the report was made.</param>
/// <param name="InReview">Entries held back for an analyst by the impact check.</param>
public sealed record BlocklistSection(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<BlocklistSection.Change> Changes,
    long ListedNow,
    long InReview)
{
    /// <param name="Kind"><c>added</c>, <c>renewed</c>, <c>review</c>, <c>expired</c>, <c>removed</c>, <c>allowed</c> or <c>unallowed</c>.</param>
    public sealed record Change(string Subject, string Kind, string Severity, string Reason, DateTime ChangedAt, DateTime? ExpiresAt, string ChangedBy);
}
