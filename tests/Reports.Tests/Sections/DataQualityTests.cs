using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Reports.Tests.Sections;

public sealed class DataQualityTests
{
    [Fact]
    public async Task AHostWhoseClockIsFiveMinutesAheadIsCalledOut()
    {
        await using var store = await TestEngine.OpenAsync();
        // mx1 accepts 30 messages and hands them to domino1, which logs each 300 s "later" (its clock is ahead);
        // mx2 hands 30 to domino1 too, logged 2 s later (in step).
        await store.ExecuteAsync(
            """
            INSERT INTO smtp_events (ts, relay, source, event, message_id)
            SELECT toDateTime64('2026-11-24 09:00:00', 3, 'UTC') + number * 60, 'mx1', 'postfix', 'message', concat('<a', toString(number), '>') FROM numbers(30)
            UNION ALL SELECT toDateTime64('2026-11-24 09:05:00', 3, 'UTC') + number * 60, 'domino1', 'domino', 'message', concat('<a', toString(number), '>') FROM numbers(30)
            UNION ALL SELECT toDateTime64('2026-11-24 12:00:00', 3, 'UTC') + number * 60, 'mx2', 'postfix', 'message', concat('<b', toString(number), '>') FROM numbers(30)
            UNION ALL SELECT toDateTime64('2026-11-24 12:00:02', 3, 'UTC') + number * 60, 'domino1', 'domino', 'message', concat('<b', toString(number), '>') FROM numbers(30)
            """,
            CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, SampleDayFixture.Day);

        Assert.Collection(report.DataQuality.ClockSkews,
            ahead =>
            {
                Assert.Equal(("domino1", "mx1", 30L), (ahead.HostA, ahead.HostB, ahead.Messages));
                Assert.Equal(-300, ahead.MedianSeconds);
                Assert.True(ahead.Suspect);
            },
            inStep =>
            {
                Assert.Equal(("domino1", "mx2", 30L), (inStep.HostA, inStep.HostB, inStep.Messages));
                Assert.Equal(-2, inStep.MedianSeconds);
                Assert.False(inStep.Suspect);
            });
        Assert.Contains("Clock skew: domino1 logs the same messages 300 s after mx1 (median of 30); a hop takes seconds, so one of their clocks is off.", report.Summary.Callouts);
    }
}
