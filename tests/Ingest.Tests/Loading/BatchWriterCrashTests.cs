using System.Diagnostics;
using System.Globalization;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// Exactly once through a real crash: the ingest process is killed (SIGKILL) right after a batch's rows
/// land and before its checkpoint commits, the worst moment; run again, it must store exactly the rows
/// and error samples of one clean run. The kill comes from a seam the test injects into its own child
/// process (<see cref="CrashHost"/>), not from anything production code reads.
/// </summary>
public sealed class BatchWriterCrashTests : IDisposable
{
    private const int BatchLines = 500;

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-crash-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public async Task DyingRightAfterABatchLandsAndBeforeItsCheckpointNeverDuplicatesIt(int batch)
    {
        var log = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(log, Lines(5000));

        var clean = await RunHostAsync("clean", log, dieAfter: 0);
        var dying = await RunHostAsync("crashed", log, dieAfter: batch);
        var resumed = await RunHostAsync("crashed", log, dieAfter: 0);

        Assert.Equal(0, clean.ExitCode);
        Assert.Equal(137, dying.ExitCode);
        Assert.Equal(0, resumed.ExitCode);
        Assert.StartsWith("4950\t", clean.Output, StringComparison.Ordinal);
        Assert.EndsWith("\t50\n", clean.Output, StringComparison.Ordinal);
        Assert.Equal(clean.Output, resumed.Output);
    }

    /// <summary>Connects with a client each, and every hundredth line one RelayWatch does not recognise (an error sample).</summary>
    private static IEnumerable<string> Lines(int count) =>
        Enumerable.Range(0, count).Select(n => n % 100 == 99
            ? string.Create(CultureInfo.InvariantCulture, $"Nov 24 10:{n / 60 % 60:D2}:{n % 60:D2} mx1 postfix/smtpd[{n}]: something no parser knows {n}")
            : string.Create(CultureInfo.InvariantCulture, $"Nov 24 10:{n / 60 % 60:D2}:{n % 60:D2} mx1 postfix/smtpd[{n}]: connect from host{n}.example.net[203.0.{n / 250}.{(n % 250) + 1}]"));

    private async Task<(int ExitCode, string Output)> RunHostAsync(string data, string log, int dieAfter)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "exec", typeof(CrashHost).Assembly.Location, CrashHost.Verb, Path.Combine(directory, data), log, BatchLines.ToString(CultureInfo.InvariantCulture), dieAfter.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(patience.Token);
        Assert.True(dieAfter > 0 || process.ExitCode == 0, await error);
        return (process.ExitCode, await output);
    }
}
