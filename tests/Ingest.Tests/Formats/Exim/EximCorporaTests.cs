using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using Xunit.Abstractions;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>Exim's own test-suite output and CrowdSec's Exim fixtures, read by the grammar.</summary>
public sealed class EximCorporaTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every line of Exim's test-suite mainlogs is read without an exception; the arrivals, deliveries,
    /// defers and bounces among them all become events (the rest is queue runs, TLS and DKIM notes).
    /// </summary>
    [CorpusFact]
    public void ExImsOwnTestSuiteLogsAreRead()
    {
        var files = Directory.EnumerateFiles(Corpora.PathOf("exim-testsuite/log")).Order(StringComparer.Ordinal).ToList();
        var outcomes = new Dictionary<LineOutcome, int>();
        var unreadMessageLines = new List<string>();
        foreach (var file in files)
        {
            var parser = new EximParser();
            var origin = new LineOrigin(file, "test", TimestampContext.Utc(1999));
            long number = 0;
            foreach (var line in File.ReadLines(file))
            {
                var result = parser.Parse(line, origin, ++number);
                outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
                if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? (\[\d+\] )?\w{6}-\w{6,11}-\w{2,4} (<=|=>|->|==|\*\*) ")
                    && result.Outcome != LineOutcome.Event)
                {
                    unreadMessageLines.Add($"{result.Kind}: {line}");
                }
            }
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}")));
        unreadMessageLines.Take(30).ToList().ForEach(output.WriteLine);
        Assert.True(outcomes.GetValueOrDefault(LineOutcome.Event) > 8_000, "the test suite's arrivals and deliveries are events");
        Assert.Empty(unreadMessageLines);
    }

    [CorpusTheory]
    [InlineData("crowdsec-hub/exim-logs/exim-logs.log")]
    [InlineData("crowdsec-hub/exim-bf/exim-bf.log")]
    [InlineData("crowdsec-hub/exim-spam/exim-spam.log")]
    [InlineData("crowdsec-hub/exim-syslog-logs/exim-logs.log")]
    public void EveryLineOfCrowdSecsEximFixturesIsAnEventWithItsClient(string file)
    {
        var parser = new EximParser();
        var origin = new LineOrigin(file, null, TimestampContext.Utc(2022));
        var lines = Corpora.Lines(file).Where(l => l.Length > 0).ToList();

        foreach (var line in lines)
        {
            var result = parser.Parse(line, origin, 1);
            Assert.True(result.Outcome != LineOutcome.Unrecognised, $"{result.Kind}: {line}");
            if (line.Contains("rejected RCPT", StringComparison.Ordinal))
            {
                Assert.Equal("rcpt_reject", result.Event!.Event);
                Assert.NotEqual(string.Empty, result.Event.RcptTo);
            }

            if (line.Contains("authenticator failed", StringComparison.Ordinal))
            {
                Assert.Equal("auth_failure", result.Event!.Event);
                Assert.NotEqual(string.Empty, result.Event.SaslUser);
            }

            if (result.Event is { } e)
            {
                Assert.Matches(@"^[0-9a-fA-F:.]+$", e.ClientIp);
            }
        }

        Assert.True(lines.Count > 0);
    }

    /// <summary>The parser reads the prefix (stamp and pid) at fixed positions for speed; the grammar is the reference, and both agree on every line of the corpora and the sample.</summary>
    [CorpusFact]
    public void TheFastPrefixReaderAgreesWithTheGrammar()
    {
        var lines = Directory.EnumerateFiles(Corpora.PathOf("exim-testsuite/log")).SelectMany(File.ReadLines)
            .Concat(Corpora.Lines("crowdsec-hub/exim-logs/exim-logs.log"))
            .Concat(File.ReadLines(SampleFiles.PathOf("exim/mx3/mainlog")))
            .Concat(["2026-11-24 10:00:03.250 +0100 [1] x", "2026-11-24 10:00:03.1234567 -0930 x", "2026-11-24 10:00:03. x", "2026-11-24 1x:00:03 x",
                "2026-11-24 10:00:03 [12x] y", "2026-11-24 10:00:03 [] y", "2026-11-24 10:00:03 [42]y", "2026-11-24 10:00:03  z"])
            .ToList();
        var compared = 0;
        foreach (var line in lines)
        {
            var grammar = Sprache.ParserExtensions.TryParse(EximGrammar.Prefix, line);
            var fast = EximPrefix.TryReadNativePrefix(line, out var stamp, out var end);
            Assert.True(grammar.WasSuccessful == fast, line);
            if (fast)
            {
                Assert.Equal(grammar.Value, stamp);
                Assert.Equal(grammar.Remainder.Position, end);
                compared++;
            }
        }

        Assert.True(compared > 10_000, $"only {compared} stamps compared");
    }

    /// <summary>The parser reads field lists with spans for speed; the grammar is the reference, and both read every line of the corpora alike.</summary>
    [CorpusFact]
    public void TheFastFieldReaderAgreesWithTheGrammar()
    {
        var texts = Directory.EnumerateFiles(Corpora.PathOf("exim-testsuite/log")).SelectMany(File.ReadLines)
            .Concat(Directory.EnumerateFiles(Corpora.PathOf("exim-testsuite/rejectlog")).SelectMany(File.ReadLines))
            .Concat(Corpora.Lines("crowdsec-hub/exim-logs/exim-logs.log"))
            .Concat(File.ReadLines(SampleFiles.PathOf("exim/mx3/mainlog")))
            .Select(line => EximPrefix.TryReadNativePrefix(line, out _, out var end) ? line[end..] : line)
            .Concat(["H=[192.0.2.1]x F=<a b> T=\"unterminated  X=\"q\\\"uoted\" H=(helo) [::1]:25 K=", "\tH=a (b) [1.2.3.4] id=\t x"])
            .ToList();

        var reader = new EximFieldReader();
        foreach (var text in texts)
        {
            var grammar = Sprache.ParserExtensions.TryParse(EximGrammar.Fields, text);
            Assert.True(grammar.WasSuccessful, $"{grammar.Message}: {text}");
            Assert.Equal(grammar.Value, reader.Read(text).ToFields());
        }
    }

    /// <summary>Exim's test-suite rejectlogs, read as files named rejectlog: every line recognised and skipped (the mainlog has the same refusals), none stored.</summary>
    [CorpusFact]
    public void ARejectLogIsRecognisedAndSkippedWhole()
    {
        var parser = new EximParser();
        var outcomes = Directory.EnumerateFiles(Corpora.PathOf("exim-testsuite/rejectlog"))
            .SelectMany(file =>
            {
                var origin = new LineOrigin(Path.Combine(Path.GetDirectoryName(file)!, "rejectlog.1"), "test", TimestampContext.Utc(1999));
                return File.ReadLines(file).Select((l, i) => parser.Parse(l, origin, i + 1));
            })
            .ToList();

        Assert.True(outcomes.Count > 1000);
        Assert.All(outcomes, r => Assert.Equal((LineOutcome.Skipped, "exim.rejectlog"), (r.Outcome, r.Kind)));
        Assert.False(EximParser.IsRejectLog("/var/log/exim4/mainlog"));
    }

    [CorpusFact]
    public void DetectionTellsEximFromPostfix()
    {
        Assert.Equal(LogFormat.Exim, LogFormats.Detect(Corpora.Lines("crowdsec-hub/exim-logs/exim-logs.log")));
        Assert.Equal(LogFormat.Exim, LogFormats.Detect(Corpora.Lines("crowdsec-hub/exim-syslog-logs/exim-logs.log")));
        Assert.Equal(LogFormat.Exim, LogFormats.Detect(Corpora.Lines("exim-testsuite/log/0005")));
        Assert.Equal(LogFormat.Postfix, LogFormats.Detect(Corpora.Lines("digineo-postfix_exporter/mail.log")));
    }
}
