namespace RelayWatch.Store.Vocabulary;

/// <summary>The values of <c>findings.severity</c> (docs/schema.md), from the least to the most severe.</summary>
public static class Severities
{
    public const string Info = "info";
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";

    /// <summary>Every severity, least severe first.</summary>
    public static IReadOnlyList<string> All { get; } = [Info, Low, Medium, High, Critical];
}
