using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Deployment;

/// <summary>
/// The systemd units in deploy/systemd are checked by systemd itself (<c>systemd-analyze verify</c>, Debian's
/// systemd package) in a root of their own: the host's unit library, the unit, and an executable where
/// ExecStart says RelayWatch is installed. systemd reports an unknown setting, a bad value or a missing
/// command on its error stream, and some of those with exit code 0, so the test wants both silent.
/// </summary>
public sealed class SystemdUnitsTests : IDisposable
{
    private static readonly string Units = Path.Combine(RepositoryFolders.Root, "deploy", "systemd");

    private readonly TemporaryDirectory root = new();

    public void Dispose() => root.Dispose();

    public static TheoryData<string> UnitFiles() => [.. Names()];

    [Fact]
    public void ThereIsAUnitForServeListenAndFollowing() =>
        Assert.Equal(["relaywatch-follow@.service", "relaywatch-listen.service", "relaywatch-serve.service"], Names());

    private static string[] Names() => [.. Directory.GetFiles(Units, "*.service").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(UnitFiles))]
    public async Task SystemdAcceptsTheUnit(string unit)
    {
        var analyze = await DebianPackages.RequireAsync("systemd-analyze", "systemd");
        var library = Path.Combine(root.Path, "usr", "lib", "systemd", "system");
        CopyFolder("/lib/systemd/system", library);
        var installed = Path.Combine(root.Path, "opt", "relaywatch", "relaywatch");
        Directory.CreateDirectory(Path.GetDirectoryName(installed)!);
        await File.WriteAllTextAsync(installed, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(installed, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }
        var system = Directory.CreateDirectory(Path.Combine(root.Path, "etc", "systemd", "system")).FullName;
        File.Copy(Path.Combine(Units, unit), Path.Combine(system, unit));
        // A template is verified as one of its instances.
        var name = unit.EndsWith("@.service", StringComparison.Ordinal) ? unit.Replace("@.service", "@var-log-mail.log.service", StringComparison.Ordinal) : unit;

        var (exitCode, output, error) = await DebianPackages.RunAsync(analyze, "verify", "--man=no", $"--root={root.Path}", name);

        Assert.True(exitCode == 0 && output.Length == 0 && error.Length == 0, $"systemd-analyze verify {name}: exit {exitCode}\n{output}{error}");
    }

    [Fact]
    public async Task AMistakeInAUnitIsWhatSystemdReports()
    {
        var analyze = await DebianPackages.RequireAsync("systemd-analyze", "systemd");
        CopyFolder("/lib/systemd/system", Path.Combine(root.Path, "usr", "lib", "systemd", "system"));
        var system = Directory.CreateDirectory(Path.Combine(root.Path, "etc", "systemd", "system")).FullName;
        var text = await File.ReadAllTextAsync(Path.Combine(Units, "relaywatch-serve.service"));
        await File.WriteAllTextAsync(Path.Combine(system, "relaywatch-serve.service"), text.Replace("Type=exec", "Type=exce", StringComparison.Ordinal));

        var (_, output, error) = await DebianPackages.RunAsync(analyze, "verify", "--man=no", $"--root={root.Path}", "relaywatch-serve.service");

        Assert.Contains("Failed to parse service type, ignoring: exce", output + error, StringComparison.Ordinal);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (new FileInfo(file).LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else
            {
                File.Copy(file, target);
            }
        }
    }
}
