using System.Collections.Concurrent;
using System.Diagnostics;

namespace RelayWatch.Cli.Tests.Support;

/// <summary>
/// Runs the real <c>relaywatch</c> executable in a child process and collects what it printed. Every child
/// started is remembered by its process id and start time, so that <see cref="StopAsync"/> ends it (with its
/// own children) even after the test disposed its <see cref="Process"/> object, and so that children still
/// running when the test run ends are killed then: a failed assertion never leaves a serve behind.
/// </summary>
internal static class RelayWatchProcess
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "relaywatch.dll");

    private static readonly ConcurrentDictionary<Process, (int Id, DateTime Started)> Children = new(ReferenceEqualityComparer.Instance);

    static RelayWatchProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var child in Children.Values)
        {
            KillTree(child.Id, child.Started, TimeSpan.FromSeconds(5));
        }
    };

    /// <summary>
    /// Kills a child this class started, with its children, and waits at most ten seconds for it to go
    /// (waiting for the exit event also waits for redirected streams, which a stuck grandchild could hold
    /// open); works on a disposed <see cref="Process"/> too. The test's result stands either way.
    /// </summary>
    public static Task StopAsync(Process process)
    {
        if (Children.TryRemove(process, out var child))
        {
            KillTree(child.Id, child.Started, TimeSpan.FromSeconds(10));
        }
        else
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
                // Not started here, and already gone (or disposed).
            }
        }

        process.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Whether a child this class started still runs (by its id and start time, so a reused id does not count).</summary>
    public static bool IsRunning(Process process) => Children.TryGetValue(process, out var child) && Find(child.Id, child.Started) is { } found && Dispose(found, !found.HasExited);

    private static void KillTree(int id, DateTime started, TimeSpan patience)
    {
        using var process = Find(id, started);
        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(patience);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    /// <summary>The running process with this id that started at this time, or null.</summary>
    private static Process? Find(int id, DateTime started)
    {
        try
        {
            var process = Process.GetProcessById(id);
            if (process.StartTime == started)
            {
                return process;
            }

            process.Dispose();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone.
        }

        return null;
    }

    private static bool Dispose(Process process, bool result)
    {
        process.Dispose();
        return result;
    }

    public static Task<CliResult> RunWithInputAsync(string? standardInput, params string[] arguments) =>
        RunInAsync(null, standardInput, arguments);

    /// <summary>Runs the executable to its end with these variables added to its environment.</summary>
    public static async Task<CliResult> RunInAsync(IReadOnlyDictionary<string, string>? environment, string? standardInput, params string[] arguments)
    {
        using var process = Start(arguments, redirectInput: standardInput is not null, environment);
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

        var process = Process.Start(start)!;
        Children[process] = (process.Id, process.StartTime);
        return process;
    }
}
