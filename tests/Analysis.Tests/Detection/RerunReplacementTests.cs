using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>Detecting a day again replaces its findings without a moment, or a failure, that leaves the day empty.</summary>
public sealed class RerunReplacementTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    [Fact]
    public async Task ARerunThatFailsLeavesTheDaysEarlierFindingsInPlace()
    {
        await using var store = await TestEngine.OpenAsync();
        await RunAsync(store, new FixedDetector("203.0.113.9"));

        await Assert.ThrowsAnyAsync<ClickHouseException>(() => RunAsync(store, new FixedDetector("throwIf(number = 0, 'the detector broke')")));

        Assert.Equal(["203.0.113.9"], await SubjectsAsync(store));
    }

    [Fact]
    public async Task ARerunThatSucceedsReplacesTheEarlierFindings()
    {
        await using var store = await TestEngine.OpenAsync();
        await RunAsync(store, new FixedDetector("203.0.113.9"));

        await RunAsync(store, new FixedDetector("198.51.100.7"));

        Assert.Equal(["198.51.100.7"], await SubjectsAsync(store));
    }

    private static Task RunAsync(IClickHouseStore store, Detector detector) =>
        new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, [detector], NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);

    private static async Task<string[]> SubjectsAsync(IClickHouseStore store) =>
        [.. (await store.QueryListAsync("SELECT subject FROM findings WHERE detector = 'fixed' ORDER BY subject", null, CancellationToken.None)).Select(row => row[0])];

    /// <summary>A detector that finds one subject, given as an SQL expression over <c>numbers(1)</c>.</summary>
    private sealed class FixedDetector(string subject) : Detector
    {
        public override string Name => "fixed";

        public override string Summary => "finds one fixed subject";

        public override string Query =>
            $"SELECT toString({(subject.Contains('(', StringComparison.Ordinal) ? subject : $"'{subject}'")}) AS subject, 'high' AS severity, toFloat32(1) AS score, "
            + "now64(3) AS first_seen, now64(3) AS last_seen, toUInt64(1) AS events, '{}' AS evidence FROM numbers(1)";

        public override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>();
    }
}
