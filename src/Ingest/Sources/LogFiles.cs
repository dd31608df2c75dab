using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace RelayWatch.Ingest.Sources;

/// <summary>Finding, ordering, opening and identifying log files.</summary>
internal static partial class LogFiles
{
    private const int FingerprintBytes = 4096;

    /// <summary>
    /// A folder walk: every file below, but no symlink, to a folder or to a file. A symlinked folder could
    /// loop back (<c>logs/again -> ..</c>) or lead outside the folder named, and a symlinked file is some
    /// other file, read only when named explicitly. Hidden files are read, as the shell's walk would.
    /// </summary>
    private static readonly EnumerationOptions FolderWalk = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = false,
        MatchType = MatchType.Win32,
    };

    /// <summary>
    /// The files the command line names, in the order to read them: directories are searched
    /// recursively (without following symlinks, see <see cref="FolderWalk"/>), <c>*</c> and <c>?</c> in a
    /// file name are expanded, and a rotated set
    /// (<c>mail.log.2.gz mail.log.1 mail.log</c>) is read oldest first.
    /// </summary>
    public static IReadOnlyList<LogFileTarget> Expand(IEnumerable<string> paths)
    {
        var files = new List<LogFileTarget>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(OldestFirst(Directory.EnumerateFiles(path, "*", FolderWalk)).Select(f => new LogFileTarget(f, InFolder: true)));
            }
            else if (Path.GetFileName(path).AsSpan().IndexOfAny('*', '?') >= 0)
            {
                var directory = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
                files.AddRange(OldestFirst(Directory.Exists(directory) ? Directory.EnumerateFiles(directory, Path.GetFileName(path)) : []).Select(f => new LogFileTarget(f, InFolder: false)));
            }
            else if (File.Exists(path))
            {
                files.Add(new LogFileTarget(path, InFolder: false));
            }
            else
            {
                throw new FileNotFoundException($"{path} does not exist.", path);
            }
        }

        return files;
    }

    /// <summary>
    /// Why a file found in a folder is not read although it may hold mail lines, or null. Syslog writes mail
    /// lines to more than one file: rsyslog's per-level copies (<c>mail.info</c>, <c>mail.warn</c>,
    /// <c>mail.err</c>) and the general logs (<c>syslog</c>, <c>messages</c>, <c>all.log</c>) repeat lines of the
    /// <c>mail.log</c> or <c>maillog</c> beside them, and reading both would store those lines twice. Named
    /// explicitly, such a file is read.
    /// </summary>
    public static string? CopyOfAnotherLog(string path)
    {
        var name = RotationOf(path).Base;
        var copy = name switch
        {
            "mail.info" or "mail.warn" or "mail.err" => $"rsyslog's copy of the {name[5..]}-level mail lines",
            "syslog" or "messages" or "all.log" or "daemon.log" => "a general system log",
            _ => null,
        };
        if (copy is null)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        var mailLog = Directory.EnumerateFiles(folder).Select(f => RotationOf(f).Base).FirstOrDefault(n => n is "mail.log" or "maillog");
        return mailLog is null ? null : $"{copy}, which repeats lines of the {mailLog} beside it; name it to read it";
    }

    /// <summary>
    /// Orders by base name, then by rotation number, highest (oldest) first; the live file comes last.
    /// Exchange's transport logs (<c>RECV2026112400-1.LOG</c>, <c>MSGTRK2026112400-1.LOG</c>, wherever they
    /// are below) come after the other files, by the period their names begin, and in each period the SMTP
    /// receive protocol logs before the message tracking logs: a session's login is in the protocol log, and
    /// the tracking log's messages of that session take it from there, so it must have been read first.
    /// </summary>
    internal static IEnumerable<string> OldestFirst(IEnumerable<string> files) =>
        files.Select(f => (Path: f, Rotation: RotationOf(f)))
            .OrderBy(f => ExchangeOrder(f.Rotation.Base) is { } order
                ? string.Concat("\uFFFF", order, "\n", Path.GetDirectoryName(f.Path))
                : Path.Combine(Path.GetDirectoryName(f.Path) ?? string.Empty, f.Rotation.Base), StringComparer.Ordinal)
            .ThenByDescending(f => f.Rotation.Number)
            .Select(f => f.Path);

    /// <summary>An Exchange transport log's place: its period (<c>yyyyMMdd</c>, or <c>yyyyMMddHH</c> for hourly logs), protocol before tracking, then its part; null for any other name.</summary>
    private static string? ExchangeOrder(string name)
    {
        var match = ExchangeLogName().Match(name);
        if (!match.Success)
        {
            return null;
        }

        var tracking = match.Groups["log"].Value[0] is 'M' or 'm';
        return string.Concat(match.Groups["period"].Value.PadRight(10, '0'), tracking ? "1" : "0", match.Groups["part"].Value.PadLeft(10, '0'));
    }

    [GeneratedRegex(@"^(?<log>RECV|MSGTRK[A-Z]{0,2})(?<period>\d{8}(\d{2})?)-(?<part>\d{1,9})\.LOG$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExchangeLogName();

    /// <summary>Opens a file for reading, decompressing gzip (recognised by its magic bytes, not its name); for benchmarks and tools that read a file once.</summary>
    public static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new CheckedGzipStream(file) : file;
    }

    /// <summary>
    /// The file's identity across renames and compression: a hash of its first line (or first
    /// 4 KiB), so that <c>mail.log</c> rotated to <c>mail.log.1</c> and then <c>mail.log.2.gz</c>
    /// keeps its checkpoint. A file that opens with <c>#</c> header lines (Exchange's transport logs:
    /// <c>#Software</c>, <c>#Version</c>, <c>#Log-type</c>, <c>#Date</c>, <c>#Fields</c>) is identified by
    /// all of them, since its first line is the same in every file of its kind and the <c>#Date</c> of
    /// its creation is not. Null for an empty file. Taken from the handle that is read
    /// (<see cref="OpenLogFile.Fingerprint"/>), never from the path, which may name another file by then.
    /// </summary>
    public static string? Fingerprint(string path)
    {
        using var file = OpenLogFile.Open(path);
        return file.Fingerprint()?.Key;
    }

    /// <summary>The fingerprint of a file's content read from its start; with <paramref name="exactly"/>, of that many bytes (null if it has fewer).</summary>
    internal static LogFingerprint? FingerprintOf(Stream content, int? exactly = null)
    {
        var head = new byte[exactly ?? FingerprintBytes];
        var filled = 0;
        try
        {
            int read;
            while (filled < head.Length && (read = content.Read(head, filled, head.Length - filled)) > 0)
            {
                filled += read;
            }
        }
        catch (InvalidDataException)
        {
            // A gzip file cut short still has a usable beginning.
        }

        if (filled == 0 || (exactly is { } bytes && filled < bytes))
        {
            return null;
        }

        var length = filled;
        if (exactly is null)
        {
            var newline = Array.IndexOf(head, (byte)'\n', 0, filled);
            length = newline >= 0 ? newline + 1 : filled;
            while (head[0] == (byte)'#' && length < filled && head[length] == (byte)'#' && Array.IndexOf(head, (byte)'\n', length, filled - length) is var next and >= 0)
            {
                length = next + 1;
            }
        }

        var complete = head[length - 1] == (byte)'\n' || length == FingerprintBytes || exactly is not null;
        return new LogFingerprint(Convert.ToHexStringLower(SHA256.HashData(head.AsSpan(0, length)))[..32], length, complete);
    }

    private static (string Base, int Number) RotationOf(string path)
    {
        var name = Path.GetFileName(path);
        var match = RotationSuffix().Match(name);
        return match.Success
            ? (name[..match.Index], int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture))
            : (name, 0);
    }

    [GeneratedRegex(@"\.(?<n>\d{1,4})(\.gz)?$")]
    private static partial Regex RotationSuffix();
}
