namespace RelayWatch.Analysis.Context;

/// <summary>What a check of the configured context files did.</summary>
public enum NetworkContextReloadOutcome
{
    /// <summary>No file is configured: context stays as it is (off, or loaded by hand).</summary>
    NotConfigured,

    /// <summary>The files read as they did at the last load: nothing to do.</summary>
    Unchanged,

    /// <summary>The files changed (or were never loaded) and were loaded.</summary>
    Reloaded,

    /// <summary>A file is missing or unreadable: the loaded context was left as it was.</summary>
    Refused,
}

/// <param name="Networks">Networks loaded (for <see cref="NetworkContextReloadOutcome.Reloaded"/>).</param>
/// <param name="Message">Why it was refused, one sentence naming the file.</param>
public sealed record NetworkContextReload(NetworkContextReloadOutcome Outcome, long Networks, string Source, string? Message);
