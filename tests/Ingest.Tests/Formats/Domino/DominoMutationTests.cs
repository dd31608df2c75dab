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
    public void RandomlyDamagedLinesNeverThrowAndGiveWellFormedResults(int seed) =>
        DamagedLines.AreHandled(new DominoParser(), File.ReadAllLines(SampleFiles.PathOf("domino/domino1/console.log")), new LineOrigin("mutated.log", "domino1", TimestampContext.Utc(2026)), seed);
}
