using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats;

/// <summary>Where lines come from, and what they need that they may not say.</summary>
/// <param name="File">The file's path, recorded as lineage.</param>
/// <param name="Relay">The relay's name when given on the command line; else the syslog host is used.</param>
internal sealed record LineOrigin(string File, string? Relay, TimestampContext Timestamps)
{
    private string? folder;

    /// <summary>
    /// The name of the folder the file is in (<c>/var/log/mx3/mainlog</c> → <c>mx3</c>): the relay of a
    /// format whose lines name no host, when <c>--relay</c> does not. Worked out once per file, not per line.
    /// </summary>
    public string FolderOr(string fallback) =>
        (folder ??= Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(File))) ?? string.Empty) is { Length: > 0 } name ? name : fallback;
}
