using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;

namespace RelayWatch.Ingest.Tests.Formats.Domino;

/// <summary>Property tests: the sample's console lines, damaged at random, never make the parser throw, and what it makes of them is well-formed.</summary>
public sealed class DominoMutationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomlyDamagedLinesNeverThrowAndGiveWellFormedResults(int seed)
    {
        var random = new Random(seed);
        var lines = File.ReadAllLines(SampleFiles.PathOf("domino/domino1/console.log"));
        var parser = new DominoParser();
        var origin = new LineOrigin("mutated.log", "domino1", TimestampContext.Utc(2026));
        var outcomes = new Dictionary<LineOutcome, int>();

        for (var i = 0; i < 20_000; i++)
        {
            var line = LineDamage.Mutate(lines[random.Next(lines.Length)], random);
            var result = parser.Parse(line, origin, i + 1);

            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            Assert.False(string.IsNullOrEmpty(result.Kind));
            Assert.Equal(result.Outcome == LineOutcome.Event, result.Event is not null);
            if (result.Event is { } e)
            {
                Assert.Equal(TimeSpan.Zero, e.Timestamp.Offset);
                Assert.False(string.IsNullOrEmpty(e.Event), line);
                Assert.True(e.ClientIp.Length == 0 || System.Net.IPAddress.TryParse(e.ClientIp, out _), line);
            }
        }

        Assert.All(Enum.GetValues<LineOutcome>(), o => Assert.True(outcomes.GetValueOrDefault(o) > 100, $"{o}: {outcomes.GetValueOrDefault(o)}"));
    }
}
