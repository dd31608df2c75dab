using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A relay prober chooses its HELO, and <c>relaywatch detect</c> prints HELOs. Escape sequences in it
/// must not reach the analyst's terminal: none that retitles the window (OSC), clears the screen or
/// recolours (CSI, also as the one-byte C1 form), rings the bell, backspaces to overwrite
/// what was printed, or reverses the reading order (bidi controls).
/// </summary>
public sealed class AttackerTextDrivingTheTerminal : IDisposable
{
    // No CR or LF: a log line cannot hold them (the line reader ends a line there).
    private const string HostileHelo = "x\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202Egnp.exe\u0008fake";

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("relaywatch-terminal-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public async Task DetectPrintsAHostileHeloWithoutItsControlCharacters()
    {
        var log = new PostfixLog();
        foreach (var probe in new[] { "user%elsewhere.example@ours.example", "relaytest@elsewhere.example", "\"user@elsewhere.example\"@ours.example" })
        {
            log.RelayRefused("unknown", "198.51.100.66", "bogus@fake.domain", probe, HostileHelo, "04:40:02");
        }

        var path = Path.Combine(directory.FullName, "mail.log");
        await File.WriteAllTextAsync(path, log.ToString());
        var data = Path.Combine(directory.FullName, "data");
        var ingest = await RelayWatchProcess.RunAsync("--data", data, "ingest", path);
        Assert.Equal(0, ingest.ExitCode);

        var detect = await RelayWatchProcess.RunAsync("--data", data, "detect", "--day", "2026-11-24");

        Assert.Equal(0, detect.ExitCode);
        Assert.Contains("198.51.100.66", detect.Output, StringComparison.Ordinal);
        Assert.Contains("x?]0;pwned??[2J?31m?gnp.exe?fake", detect.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(detect.Output + detect.Error, c => char.IsControl(c) && c is not '\n' and not '\t');
        Assert.DoesNotContain('\u202E', detect.Output);
    }
}
