using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using Xunit.Abstractions;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Coverage;

/// <summary>
/// Every log of ../shared/corpora in a format RelayWatch reads (by its INDEX.tsv entry), read as ingest
/// reads it — the format detected from the first lines, then every line parsed: none is unrecognised
/// but the lines docs/corpora.md lists as out of scope, with the reason.
/// </summary>
public sealed class CorpusCoverageTests(ITestOutputHelper output)
{
    /// <summary>Corpus lines judged out of scope, by file: how many, and why (docs/corpora.md says the same).</summary>
    private static readonly Dictionary<string, (int Lines, string Why)> OutOfScope = new(StringComparer.Ordinal)
    {
        ["nashcom-domino-startscript/filter-test.log"] = (1, "a line cut after its [pid:tid] prefix (\"blablab\"), left in fail2ban's filter test on purpose"),
    };

    /// <summary>The formats of INDEX.tsv that are logs RelayWatch reads.</summary>
    private static bool IsSupported(string format) =>
        format.StartsWith("postfix-syslog", StringComparison.Ordinal) || format.StartsWith("exim-mainlog", StringComparison.Ordinal)
        || format.StartsWith("exim-via-syslog", StringComparison.Ordinal) || format.StartsWith("cisco-esa-mail_logs", StringComparison.Ordinal)
        || format.StartsWith("exchange-", StringComparison.Ordinal) || format.StartsWith("domino-console", StringComparison.Ordinal);

    public static TheoryData<string> SupportedLogs()
    {
        var data = new TheoryData<string>();
        foreach (var row in File.ReadLines(Corpora.PathOf("INDEX.tsv")).Skip(1).Select(l => l.Split('\t')))
        {
            if (row.Length > 1 && IsSupported(row[1]) && File.Exists(Corpora.PathOf(row[0])) && !row[0].StartsWith("exim-testsuite/", StringComparison.Ordinal))
            {
                data.Add(row[0]);
            }
        }

        return data;
    }

    [CorpusTheory]
    [MemberData(nameof(SupportedLogs))]
    public void EveryLineOfASupportedLogIsRecognised(string file)
    {
        var lines = Corpora.Lines(file).ToList();
        if (lines.All(string.IsNullOrWhiteSpace))
        {
            output.WriteLine($"{file} is empty");
            return;
        }

        var format = LogFormats.Detect(lines);
        Assert.NotNull(format);
        var parser = LogFormats.CreateParser(format.Value);
        var origin = new LineOrigin(Corpora.PathOf(file), null, TimestampContext.Utc(2023));
        var unrecognised = new List<string>();
        var outcomes = new Dictionary<LineOutcome, int>();
        foreach (var (line, number) in lines.Select((l, i) => (l, i + 1)))
        {
            var result = parser.Parse(line, origin, number);
            parser.TakeReleased();
            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            // A blank line is counted as unrecognised by the syslog formats, as any line without a header; it is no log line.
            if (result.Outcome == LineOutcome.Unrecognised && line.Length > 0)
            {
                unrecognised.Add($"{result.Kind}: {line}");
            }
        }

        output.WriteLine($"{file}: {LogFormats.NameOf(format.Value)}, {string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}"))}");
        unrecognised.Take(20).ToList().ForEach(output.WriteLine);
        Assert.Equal(OutOfScope.TryGetValue(file, out var allowed) ? allowed.Lines : 0, unrecognised.Count);
    }

    /// <summary>The correlation horizon given to ingest reaches every format's parser.</summary>
    [Fact]
    public void TheHorizonReachesEveryParser()
    {
        foreach (var format in Enum.GetValues<LogFormat>())
        {
            var parser = LogFormats.CreateParser(format, TimeSpan.FromHours(3));
            var horizon = parser.GetType().GetProperty("Horizon")!.GetValue(parser);
            Assert.Equal(TimeSpan.FromHours(3), horizon);
            Assert.NotEqual(TimeSpan.FromHours(3), LogFormats.CreateParser(format).GetType().GetProperty("Horizon")!.GetValue(LogFormats.CreateParser(format)));
        }
    }
}
