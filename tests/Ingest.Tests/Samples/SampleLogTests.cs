using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Ingest.Tests.Samples;

public sealed class SampleLogTests
{
    [Theory]
    [InlineData("postfix")]
    [InlineData("exim")]
    [InlineData("domino")]
    [InlineData("ironport")]
    [InlineData("exchange")]
    [InlineData("sendmail")]
    public async Task EachSampleIngestsToItsExpectedCounts(string format)
    {
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(SampleFiles.PathOf($"{format}/expected.json")));
        var root = expected.RootElement;
        await using var store = await TestEngine.OpenAsync();
        var runner = new IngestRunner(store, new IngestOptions { Format = LogFormats.Parse(format), Year = 2026 }, TimeProvider.System, NullLogger.Instance);

        // "file" names one file, or a folder of the format's logs (Exchange writes tracking and protocol logs side by side).
        var summaries = await runner.IngestAsync([SampleFiles.PathOf($"{format}/{root.GetProperty("file").GetString()}")], CancellationToken.None);

        Assert.All(summaries, s => Assert.Equal(format, s.Format));
        Assert.Equal(root.GetProperty("lines").GetInt64(), summaries.Sum(s => s.Counts.Lines));
        Assert.Equal(root.GetProperty("events").GetInt64(), summaries.Sum(s => s.Counts.Events));
        Assert.Equal(root.GetProperty("skipped").GetInt64(), summaries.Sum(s => s.Counts.Skipped));
        Assert.Equal(root.GetProperty("unrecognised").GetInt64(), summaries.Sum(s => s.Counts.Unrecognised));
        Assert.Equal(Breakdown(root.GetProperty("byEvent")), await GroupCountAsync(store, "event", "1"));
        Assert.Equal(Breakdown(root.GetProperty("byReason")), await GroupCountAsync(store, "reason", "reason != ''"));
    }

    private static Dictionary<string, long> Breakdown(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    private static async Task<Dictionary<string, long>> GroupCountAsync(IClickHouseStore store, string column, string filter) =>
        (await store.QueryListAsync($"SELECT {column}, count() FROM smtp_events WHERE {filter} GROUP BY {column}", null, CancellationToken.None))
            .ToDictionary(r => r[0], r => long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture));
}
