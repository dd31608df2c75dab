using System.Diagnostics;

namespace RelayWatch.Cli.Tests.Support;

/// <summary>Runs the real <c>relaywatch</c> executable in a child process and collects what it printed.</summary>
internal static class RelayWatchProcess
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "relaywatch.dll");

    public static async Task<CliResult> RunWithInputAsync(string? standardInput, params string[] arguments)
    {
        using var process = Start(arguments, redirectInput: standardInput is not null);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    public static Task<CliResult> RunAsync(params string[] arguments) => RunWithInputAsync(null, arguments);

    /// <summary>Asks a started process to stop the way a service manager does (SIGTERM), without waiting for it.</summary>
    public static async Task SendSigtermAsync(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Reads stderr up to the first line that starts with <paramref name="prefix"/>, skipping what comes before
    /// (a first run on a fresh machine says it is fetching the engine); null when stderr ends first.
    /// </summary>
    public static async Task<string?> ReadErrorLineStartingAsync(Process process, string prefix)
    {
        string? line;
        while ((line = await process.StandardError.ReadLineAsync()) is not null && !line.StartsWith(prefix, StringComparison.Ordinal))
        {
        }

        return line;
    }

    /// <summary>Starts the executable without waiting for it, for tests that need two at once.</summary>
    public static Process Start(string[] arguments, bool redirectInput = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The tests choose every setting themselves.
        start.Environment.Remove("RELAYWATCH_DATA");
        start.Environment.Remove("RELAYWATCH_CLICKHOUSE");
        start.Environment.Remove("RELAYWATCH_CONFIG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }
}
