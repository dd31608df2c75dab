using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;

namespace RelayWatch.Ingest.Tests.Formats.Postfix;

/// <summary>
/// Property tests: real lines, damaged at random (seeded, so a failure replays), never make the
/// parser throw, and whatever it makes of them is well-formed. The matcher has no backtracking,
/// so its cost is bounded by templates × line length by construction; the time per line is
/// measured in bench/, not asserted here.
/// </summary>
public sealed class PostfixMutationTests
{
    private static readonly LineOrigin Origin = new("mutated.log", null, TimestampContext.Utc(2023));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomlyDamagedRealLinesNeverThrowAndGiveWellFormedResults(int seed)
    {
        var random = new Random(seed);
        var corpus = Corpora.Lines("pixelpark-postfix-logsums/mail.log").Where((_, i) => i % 7 == seed).Take(4000).ToList();
        var parser = new PostfixParser();
        var outcomes = new Dictionary<LineOutcome, int>();

        for (var i = 0; i < 20_000; i++)
        {
            var line = LineDamage.Mutate(corpus[random.Next(corpus.Count)], random);
            var result = parser.Parse(line, Origin, i + 1);

            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            Assert.False(string.IsNullOrEmpty(result.Kind));
            Assert.Equal(result.Outcome == LineOutcome.Event, result.Event is not null);
            if (result.Event is { } e)
            {
                Assert.Equal(TimeSpan.Zero, e.Timestamp.Offset);
                Assert.False(string.IsNullOrEmpty(e.Event), line);
                Assert.True(e.SmtpCode is 0 or (>= 200 and < 600), line);
                Assert.Equal((ulong)(i + 1), e.Line);
            }
        }

        // The damage is real: some lines survive as events, some are only skipped, some are lost to recognition.
        Assert.All(Enum.GetValues<LineOutcome>(), o => Assert.True(outcomes.GetValueOrDefault(o) > 100, $"{o}: {outcomes.GetValueOrDefault(o)}"));
    }
}
