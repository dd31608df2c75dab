using RelayWatch.Ingest.Sources;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// Whoever can write in a log folder can plant symlinks in it: one back to the folder itself (a walk that
/// never ends), one to a folder elsewhere, one to a file elsewhere (lines we were never asked to read).
/// Folder walks follow none of them; a symlinked file is read only when named explicitly.
/// </summary>
public sealed class SymlinksLeadingOutOfTheFolder : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("relaywatch-symlinks-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void AFolderWalkFollowsNoSymlinkButANamedSymlinkIsRead()
    {
        var logs = Directory.CreateDirectory(Path.Combine(root, "logs")).FullName;
        var elsewhere = Directory.CreateDirectory(Path.Combine(root, "elsewhere")).FullName;
        var mailLog = Path.Combine(logs, "mail.log");
        File.WriteAllText(mailLog, "Nov 24 10:00:00 mx1 postfix/smtpd[1]: connect from a.example[203.0.113.1]\n");
        File.WriteAllText(Path.Combine(elsewhere, "mail.log"), "Nov 24 10:00:00 mx9 postfix/smtpd[9]: connect from b.example[203.0.113.9]\n");
        Directory.CreateSymbolicLink(Path.Combine(logs, "again"), logs);
        Directory.CreateSymbolicLink(Path.Combine(logs, "other"), elsewhere);
        var linked = Path.Combine(logs, "linked.log");
        File.CreateSymbolicLink(linked, Path.Combine(elsewhere, "mail.log"));

        var walked = LogFiles.Expand([logs]);
        var named = LogFiles.Expand([linked]);

        Assert.Equal([mailLog], walked.Select(f => f.Path));
        Assert.Equal([new LogFileTarget(linked, InFolder: false)], named);
    }
}
