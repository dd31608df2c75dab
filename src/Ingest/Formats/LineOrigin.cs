using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats;

/// <summary>Where lines come from, and what they need that they may not say.</summary>
/// <param name="File">The file's path, recorded as lineage.</param>
/// <param name="Relay">The relay's name when given on the command line; else the syslog host is used.</param>
internal sealed record LineOrigin(string File, string? Relay, TimestampContext Timestamps)
{
    private string? folder;
    private string lastHost = string.Empty;

    /// <summary>
    /// The name of the folder the file is in (<c>/var/log/mx3/mainlog</c> → <c>mx3</c>): the relay of a
    /// format whose lines name no host, when <c>--relay</c> does not. Worked out once per file, not per line.
    /// </summary>
    public string FolderOr(string fallback) =>
        (folder ??= Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(File))) ?? string.Empty) is { Length: > 0 } name ? name : fallback;

    /// <summary>
    /// The relay that logged a syslog line: <c>--relay</c> when given, else the line's host, else (a line
    /// with no host name, as some daemons write) the file's folder, else <paramref name="fallback"/>.
    /// A file's lines nearly all share one host, so its string is made once and reused.
    /// </summary>
    public string RelayOf(SyslogHeader header, ReadOnlySpan<char> line, string fallback)
    {
        if (Relay is not null)
        {
            return Relay;
        }

        if (!header.HasHost)
        {
            return FolderOr(fallback);
        }

        var host = line[header.Host];
        if (!host.SequenceEqual(lastHost))
        {
            lastHost = host.ToString();
        }

        return lastHost;
    }
}
