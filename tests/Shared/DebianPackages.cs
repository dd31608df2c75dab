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

        await Installing.WaitAsync();
        try
        {
            if (Find(tool) is { } again)
            {
                return again;
            }

            var install = await RunAsync("apt-get", "install", "-y", "--no-install-recommends", package);
            if (install.ExitCode != 0)
            {
                await RunAsync("apt-get", "update");
                install = await RunAsync("apt-get", "install", "-y", "--no-install-recommends", package);
            }

            return Find(tool) ?? throw new InvalidOperationException(
                $"{tool} (Debian package {package}) is not installed and apt-get could not install it (exit {install.ExitCode}): {install.Error.Trim()}");
        }
        finally
        {
            Installing.Release();
        }
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
