namespace RelayWatch.Analysis.Blocklists;

/// <summary>The latest change of one subject: its state.</summary>
/// <param name="Subject">An address (<c>203.0.113.7</c>) or a network (<c>198.18.4.0/24</c>), canonical.</param>
/// <param name="Action">See <see cref="BlocklistActions"/>.</param>
/// <param name="Sources">What listed it: <c>finding:dha:2026-11-24</c>, <c>score:0.998:gbt-…</c>, <c>analyst</c>, the members it aggregates.</param>
public sealed record BlocklistEntry(
    string Subject, string Action, string Reason, IReadOnlyList<string> Sources, string Severity,
    DateTime ListedAt, DateTime ExpiresAt, string ChangedBy, DateTime ChangedAt)
{
    /// <summary>Whether it is on the published list at <paramref name="now"/>.</summary>
    public bool IsListedAt(DateTime now) => Action == BlocklistActions.Listed && ExpiresAt > now;
}

public static class BlocklistActions
{
    public const string Listed = "listed";
    public const string Review = "review";
    public const string Expired = "expired";
    public const string Removed = "removed";
    public const string Allowed = "allowed";
    public const string Unallowed = "unallowed";
}
