using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Tests.Shared;

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

    [CorpusTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomlyDamagedRealLinesNeverThrowAndGiveWellFormedResults(int seed)
    {
        var corpus = Corpora.Lines("pixelpark-postfix-logsums/mail.log").Where((_, i) => i % 7 == seed).Take(4000).ToList();
        DamagedLines.AreHandled(new PostfixParser(), corpus, Origin, seed);
    }
}
