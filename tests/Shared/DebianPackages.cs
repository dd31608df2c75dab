using System.Diagnostics;

namespace RelayWatch.Tests.Shared;

/// <summary>
/// Real tools from Debian's packages for the tests that check our output with them (postmap, rbldnsd,
/// dig, nft): found on the PATH or in the sbin folders, else installed with apt-get — once per test
/// run, one install at a time. A tool that cannot be had fails the test that needs it, saying why.
/// </summary>
internal static class DebianPackages
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    private static readonly string[] Folders = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'), "/usr/sbin", "/sbin", "/usr/bin"];

    /// <returns>The tool's full path.</returns>
    public static async Task<string> RequireAsync(string tool, string package)
    {
        if (Find(tool) is { } found)
        {
            return found;
        }

        var installed = await InstallAsync(package, () => Find(tool) is not null);
        return Find(tool) ?? throw new InvalidOperationException(
            $"{tool} (Debian package {package}) is not installed and apt-get could not install it (exit {installed.ExitCode}): {installed.Error.Trim()}");
    }

    /// <summary>A package that brings no tool of its own (a plug-in such as rsyslog's TLS driver), installed when missing.</summary>
    public static async Task RequirePackageAsync(string package)
    {
        if (await IsInstalledAsync(package))
        {
            return;
        }

        var installed = await InstallAsync(package, () => IsInstalledAsync(package).GetAwaiter().GetResult());
        if (!await IsInstalledAsync(package))
        {
            throw new InvalidOperationException(
                $"Debian package {package} is not installed and apt-get could not install it (exit {installed.ExitCode}): {installed.Error.Trim()}");
        }
    }

    /// <summary>Installs the package, one install at a time, unless another test installed it meanwhile.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> InstallAsync(string package, Func<bool> present)
    {
        await Installing.WaitAsync();
        try
        {
            if (present())
            {
                return (0, string.Empty, string.Empty);
            }

            var install = await RunAsync("apt-get", "install", "-y", "--no-install-recommends", package);
            if (install.ExitCode != 0)
            {
                await RunAsync("apt-get", "update");
                install = await RunAsync("apt-get", "install", "-y", "--no-install-recommends", package);
            }

            return install;
        }
        finally
        {
            Installing.Release();
        }
    }

    private static async Task<bool> IsInstalledAsync(string package)
    {
        var query = await RunAsync("dpkg-query", "--show", "--showformat=${Status}", package);
        return query.ExitCode == 0 && query.Output.Trim() == "install ok installed";
    }

    /// <summary>Runs a program to its end, with the environment apt-get needs to stay quiet.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static string? Find(string tool) =>
        Folders.Where(f => f.Length > 0).Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists);
}
