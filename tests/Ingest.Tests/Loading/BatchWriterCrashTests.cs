using System.Diagnostics;
using System.Globalization;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// Exactly once through a real crash: the ingest process is killed (SIGKILL) right after a batch's rows
/// land and before its checkpoint commits, the worst moment, or with several batches in flight, a later one
/// landed and an earlier one not, or the reverse; run again, it must store exactly the rows and error samples
/// of one clean run (with one insert in flight). The kill comes from a seam the test injects into its own child
/// process (<see cref="CrashHost"/>), not from anything production code reads.
/// </summary>
public sealed class BatchWriterCrashTests : IDisposable
{
    private const int BatchLines = 500;

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-crash-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(9, 1)]
    [InlineData(4, 2)]
    [InlineData(10, 2)]
    public async Task DyingRightAfterABatchLandsAndBeforeItsCheckpointNeverDuplicatesIt(int batch, int inFlight)
    {
        var log = await WriteLogAsync();

        var clean = await RunHostAsync("clean", log, dieAt: 0, inFlight, CrashHost.Crash.AfterRows);
        var dying = await RunHostAsync("crashed", log, dieAt: batch, inFlight, CrashHost.Crash.AfterRows);
        var resumed = await RunHostAsync("crashed", log, dieAt: 0, inFlight, CrashHost.Crash.AfterRows);

        Assert.Equal(0, clean.ExitCode);
        Assert.Equal(137, dying.ExitCode);
        Assert.Equal(0, resumed.ExitCode);
        Assert.StartsWith("4950\t", clean.Output, StringComparison.Ordinal);
        Assert.EndsWith("\t50\n", clean.Output, StringComparison.Ordinal);
        Assert.Equal(clean.Output, resumed.Output);
    }

    /// <summary>
    /// With several inserts in flight a later batch can land before an earlier one: the run dies then, and the
    /// next must send the earlier batch (nothing of it is stored) and not the later ones again.
    /// </summary>
    [Theory]
    [InlineData(3, 2, "1,2,4")]
    [InlineData(9, 2, "1,2,3,4,5,6,7,8,10")]
    [InlineData(5, 3, "1,2,3,4,6,7")]
    public async Task DyingWhenALaterBatchLandedAndAnEarlierOneNotLosesAndDuplicatesNothing(int batch, int inFlight, string landedWhenKilled)
    {
        var log = await WriteLogAsync();

        var clean = await RunHostAsync("clean", log, dieAt: 0, 1, CrashHost.Crash.AfterRows);
        var dying = await RunHostAsync("crashed", log, dieAt: batch, inFlight, CrashHost.Crash.LaterLandedEarlierNot);
        var resumed = await RunHostAsync("crashed", log, dieAt: 0, inFlight, CrashHost.Crash.AfterRows);

        Assert.Equal(137, dying.ExitCode);
        Assert.Equal($"landed {landedWhenKilled}\n", dying.Output);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(clean.Output, resumed.Output);
    }

    /// <summary>The reverse: the earlier batch landed, the later one entered its insert and sent nothing, and neither checkpoint committed.</summary>
    [Theory]
    [InlineData(3, 2, "1,2,3")]
    [InlineData(9, 2, "1,2,3,4,5,6,7,8,9")]
    [InlineData(5, 3, "1,2,3,4,5")]
    public async Task DyingWhenAnEarlierBatchLandedAndALaterOneNotLosesAndDuplicatesNothing(int batch, int inFlight, string landedWhenKilled)
    {
        var log = await WriteLogAsync();

        var clean = await RunHostAsync("clean", log, dieAt: 0, 1, CrashHost.Crash.AfterRows);
        var dying = await RunHostAsync("crashed", log, dieAt: batch, inFlight, CrashHost.Crash.EarlierLandedLaterNot);
        var resumed = await RunHostAsync("crashed", log, dieAt: 0, inFlight, CrashHost.Crash.AfterRows);

        Assert.Equal(137, dying.ExitCode);
        Assert.Equal($"landed {landedWhenKilled}\n", dying.Output);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(clean.Output, resumed.Output);
    }

    /// <summary>A crash, then a resumed run that crashes too while re-sending what the first left in flight, then one that finishes.</summary>
    [Fact]
    public async Task DyingAgainWhileReSendingTheBatchesLeftInFlightLosesAndDuplicatesNothing()
    {
        var log = await WriteLogAsync();

        var clean = await RunHostAsync("clean", log, dieAt: 0, 1, CrashHost.Crash.AfterRows);
        var first = await RunHostAsync("crashed", log, dieAt: 4, 3, CrashHost.Crash.LaterLandedEarlierNot);
        var second = await RunHostAsync("crashed", log, dieAt: 5, 2, CrashHost.Crash.AfterRows);
        var resumed = await RunHostAsync("crashed", log, dieAt: 0, 2, CrashHost.Crash.AfterRows);

        Assert.Equal((137, 137), (first.ExitCode, second.ExitCode));
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(clean.Output, resumed.Output);
    }

    private async Task<string> WriteLogAsync()
    {
        var log = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(log, Lines(5000));
        return log;
    }

    /// <summary>Connects with a client each, and every hundredth line one RelayWatch does not recognise (an error sample).</summary>
    internal static IEnumerable<string> Lines(int count) =>
        Enumerable.Range(0, count).Select(n => n % 100 == 99
            ? string.Create(CultureInfo.InvariantCulture, $"Nov 24 10:{n / 60 % 60:D2}:{n % 60:D2} mx1 postfix/smtpd[{n}]: something no parser knows {n}")
            : string.Create(CultureInfo.InvariantCulture, $"Nov 24 10:{n / 60 % 60:D2}:{n % 60:D2} mx1 postfix/smtpd[{n}]: connect from host{n}.example.net[203.0.{n / 250}.{(n % 250) + 1}]"));

    private Task<(int ExitCode, string Output)> RunHostAsync(string data, string log, int dieAt, int inFlight, CrashHost.Crash crash) =>
        RunHostAsync(Path.Combine(directory, data), log, dieAt, inFlight, crash, server: null);

    /// <param name="data">The child's data directory, or with <paramref name="server"/> its database there.</param>
    /// <param name="server">A ClickHouse server's connection string, for the server engine; null for the embedded one.</param>
    internal static async Task<(int ExitCode, string Output)> RunHostAsync(string data, string log, int dieAt, int inFlight, CrashHost.Crash crash, string? server)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments = [data, log, BatchLines.ToString(CultureInfo.InvariantCulture), dieAt.ToString(CultureInfo.InvariantCulture), inFlight.ToString(CultureInfo.InvariantCulture), crash.ToString()];
        foreach (var argument in new[] { "exec", typeof(CrashHost).Assembly.Location, CrashHost.Verb }.Concat(arguments).Concat(server is null ? [] : [server]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(patience.Token);
        Assert.True(dieAt > 0 || process.ExitCode == 0, await error);
        return (process.ExitCode, await output);
    }
}
