using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// The exactly-once crashes of <see cref="BatchWriterCrashTests"/> on the server engine: the ingest process,
/// a client of ClickHouse's HTTP interface (<see cref="ServerEngine"/>: the fixture in this test process, or
/// the server <c>RELAYWATCH_TEST_CLICKHOUSE</c> names), dies with two inserts in flight while the server lives on;
/// run again, it must leave what one clean run leaves.
/// </summary>
[Trait("Engine", "Server")]
public sealed class BatchWriterCrashOverHttpTests(ServerEngine server) : IClassFixture<ServerEngine>, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-crash-http-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(nameof(CrashHost.Crash.LaterLandedEarlierNot), "1,2,4")]
    [InlineData(nameof(CrashHost.Crash.EarlierLandedLaterNot), "1,2,3")]
    public async Task DyingWithTwoInsertsInFlightLosesAndDuplicatesNothing(string moment, string landedWhenKilled)
    {
        var crash = Enum.Parse<CrashHost.Crash>(moment);
        var log = Path.Combine(directory, "mail.log");
        await File.WriteAllLinesAsync(log, BatchWriterCrashTests.Lines(5000));
        var (clean, crashed) = (TestEngine.UniqueDatabase(), TestEngine.UniqueDatabase());

        var first = await BatchWriterCrashTests.RunHostAsync(clean, log, dieAt: 0, inFlight: 1, CrashHost.Crash.AfterRows, server.ConnectionString);
        var dying = await BatchWriterCrashTests.RunHostAsync(crashed, log, dieAt: 3, inFlight: 2, crash, server.ConnectionString);
        var resumed = await BatchWriterCrashTests.RunHostAsync(crashed, log, dieAt: 0, inFlight: 2, CrashHost.Crash.AfterRows, server.ConnectionString);

        Assert.Equal(137, dying.ExitCode);
        Assert.Equal($"landed {landedWhenKilled}\n", dying.Output);
        Assert.StartsWith("4950\t", first.Output, StringComparison.Ordinal);
        Assert.Equal(first.Output, resumed.Output);
    }
}
