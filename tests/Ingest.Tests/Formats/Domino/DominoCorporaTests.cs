using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using Sprache;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Domino;

/// <summary>The Domino console lines of the corpora and of our sample, read by the grammar and the span reader alike.</summary>
public sealed class DominoCorporaTests
{
    private const string ConsoleCorpus = "nashcom-domino-startscript/filter-test.log";

    /// <summary>
    /// Nashcom's fail2ban test file holds HTTP login failures and TLS errors (other tasks than mail: skipped),
    /// a line with a thread and no date (unrecognised), and blank lines (skipped); none of it throws.
    /// </summary>
    [CorpusFact]
    public void NashcomsConsoleLinesAreSkippedAsOtherTasksAndItsDamagedLineIsUnrecognised()
    {
        var parser = new DominoParser();
        var origin = new LineOrigin(Corpora.PathOf(ConsoleCorpus), "domino", TimestampContext.Utc(2022));
        var results = Corpora.Lines(ConsoleCorpus).Select((l, i) => (Line: l, Result: parser.Parse(l, origin, i + 1))).ToList();

        Assert.All(results.Where(r => r.Line.Contains("   ", StringComparison.Ordinal)), r => Assert.Equal("domino.other_task", r.Result.Kind));
        Assert.Single(results, r => r.Result.Outcome == LineOutcome.Unrecognised);
        Assert.Equal(LogFormat.Domino, LogFormats.Detect(Corpora.Lines(ConsoleCorpus)));
    }

    /// <summary>The span reader on the hot path ends where <see cref="DominoGrammar.Prefix"/> does, with the same stamp and thread.</summary>
    [CorpusFact]
    public void TheSpanReaderReadsPrefixesExactlyAsTheGrammarDoes()
    {
        var lines = Corpora.Lines(ConsoleCorpus)
            .Concat(File.ReadLines(SampleFiles.PathOf("domino/domino1/console.log")))
            .Concat(
            [
                "24/11/2026 18:04:33 [0A44:000F-080C] SMTPClient: x", "11/24/2026 01:37:38 PM  SMTP Server: x", "2026-11-24 15:54:23   x",
                "[1:2] 24.11.2026 08:14:02,57   x", "24.11.2026 08:14:02", "24.11.26 08:14:02  x", "1.1.2026 8:01:02  x", "24.11.2026 8:1:02  x",
                "[1:2-3]24.11.2026 08:00:00  x", "[zz:1] 24.11.2026 08:00:00  x", "24.11.2026 08:00:00 [1:2-3] [4:5] x", "2026-11-24 10:00:00 1tAbCd-000123-4x <= a",
            ]);
        var compared = 0;
        foreach (var line in lines)
        {
            var span = DominoPrefixReader.TryRead(line, out var stamp, out var thread, out var bodyStart, out _);
            var grammar = DominoGrammar.Prefix.TryParse(line);
            Assert.True(span == grammar.WasSuccessful, line);
            if (span)
            {
                Assert.Equal(grammar.Value.Stamp, stamp);
                Assert.Equal(grammar.Value.Thread, line[thread]);
                Assert.Equal(grammar.Remainder.Position, bodyStart);
                compared++;
            }
        }

        Assert.True(compared > 40, $"{compared} prefixes compared");
    }

    [Fact]
    public void DetectionTellsDominoFromEximAndPostfix()
    {
        Assert.Equal(LogFormat.Domino, LogFormats.Detect(File.ReadLines(SampleFiles.PathOf("domino/domino1/console.log"))));
        Assert.Equal(LogFormat.Exim, LogFormats.Detect(File.ReadLines(SampleFiles.PathOf("exim/mx3/mainlog"))));
        Assert.Equal(LogFormat.Postfix, LogFormats.Detect(File.ReadLines(SampleFiles.PathOf("postfix/mail.log"))));
    }
}
