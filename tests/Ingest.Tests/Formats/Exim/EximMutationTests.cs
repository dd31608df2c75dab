using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>Property tests: the Exim sample and the test suite's mainlog, damaged at random, never make the parser throw, and what it makes of them is well-formed.</summary>
public sealed class EximMutationTests
{
    [CorpusTheory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomlyDamagedLinesNeverThrowAndGiveWellFormedResults(int seed) =>
        DamagedLines.AreHandled(
            new EximParser(),
            [.. File.ReadAllLines(SampleFiles.PathOf("exim/mx3/mainlog")), .. Corpora.Lines("exim-testsuite/log/0005")],
            new LineOrigin("mutated.log", "mx3", TimestampContext.Utc(2026)),
            seed);
}
