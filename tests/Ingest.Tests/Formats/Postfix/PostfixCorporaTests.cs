using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using Xunit.Abstractions;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Postfix;

public sealed class PostfixCorporaTests(ITestOutputHelper output)
{
    [CorpusTheory]
    [InlineData("pixelpark-postfix-logsums/mail.log", 2023)]
    [InlineData("digineo-postfix_exporter/mail.log", 2020)]
    [InlineData("inqueue-postfix-ecs-pipeline/mail.log", 2020)]
    [InlineData("crowdsec-hub/postfix-logs/postfix-logs.log", 2020)]
    public void EveryPostfixLineOfARealLogIsRecognised(string file, int year)
    {
        var parser = new PostfixParser();
        var origin = new LineOrigin(file, null, TimestampContext.Utc(year));
        var unrecognised = new List<string>();
        var outcomes = new Dictionary<LineOutcome, int>();
        long number = 0;
        foreach (var line in Corpora.Lines(file))
        {
            var result = parser.Parse(line, origin, ++number);
            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            if (result.Outcome == LineOutcome.Unrecognised)
            {
                unrecognised.Add($"{result.Kind}: {line}");
            }
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}")));
        foreach (var line in unrecognised.Take(40))
        {
            output.WriteLine(line);
        }

        Assert.Empty(unrecognised);
    }

    /// <summary>
    /// The detector inputs: every Postfix recipient refusal for relaying or an unknown user that appears
    /// anywhere in the corpora (whole logs, parser test fixtures, grok samples) becomes a
    /// <c>rcpt_reject</c> with the client, the recipient and the reason the detectors group by.
    /// </summary>
    [CorpusFact]
    public void EveryRelayDeniedAndUnknownUserRefusalInTheCorporaFeedsItsDetector()
    {
        var refusal = new System.Text.RegularExpressions.Regex(
            @"(?:NOQUEUE|[0-9A-F]{6,}): reject: RCPT from [^ ]+\[[0-9a-fA-F:.]+\](?::\d+)?: [45]\d\d [^""]*?(?:Relay access denied|[Uu]ser unknown)[^""]*");
        var messages = Directory.EnumerateFiles(Corpora.Root, "*", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .SelectMany(l => refusal.Matches(l).Select(m => m.Value.TrimEnd('\\', ',')))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var parser = new PostfixParser();
        var origin = new LineOrigin("corpora", null, TimestampContext.Utc(2024));

        Assert.True(messages.Count >= 4, $"expected the corpora's refusals, found {messages.Count}");
        foreach (var message in messages)
        {
            var result = parser.Parse("Nov 24 10:00:00 mx1 postfix/smtpd[4242]: " + message, origin, 1);
            Assert.Equal(LineOutcome.Event, result.Outcome);
            var e = result.Event!;
            Assert.Equal("rcpt_reject", e.Event);
            Assert.Equal(message.Contains("Relay access denied", StringComparison.Ordinal) ? "relay_denied" : "user_unknown", e.Reason);
            Assert.NotEqual(string.Empty, e.ClientIp);
            Assert.NotEqual(string.Empty, e.RcptTo);
        }
    }

    /// <summary>Every SPF verdict of the policy service in the corpora becomes an <c>spf</c> event with the verdict as its reason.</summary>
    [CorpusFact]
    public void EverySpfVerdictInTheCorporaIsRead()
    {
        var verdicts = Corpora.Lines("sekoia-intake-formats/postfix_extracted.tsv")
            .Select(l => l.Split('\t'))
            .Where(f => f.Length >= 3 && f[1] == "policyd-spf" && f[2].Contains("client-ip=", StringComparison.Ordinal))
            .Select(f => f[2])
            .ToList();
        var parser = new PostfixParser();
        var origin = new LineOrigin("corpora", null, TimestampContext.Utc(2024));
        string[] results = ["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"];

        Assert.True(verdicts.Count >= 20, $"expected the corpus's SPF lines, found {verdicts.Count}");
        foreach (var verdict in verdicts)
        {
            var result = parser.Parse("Nov 24 10:00:00 mx1 policyd-spf[4242]: " + verdict, origin, 1);
            Assert.True(result.Outcome == LineOutcome.Event, $"{result.Kind}: {verdict}");
            var e = result.Event!;
            Assert.Equal("spf", e.Event);
            Assert.Contains(e.Reason, results);
            Assert.Equal(verdict[(verdict.IndexOf("client-ip=", StringComparison.Ordinal) + 10)..verdict.IndexOf(';', verdict.IndexOf("client-ip=", StringComparison.Ordinal))], e.ClientIp);
            Assert.StartsWith("identity=", e.Detail, StringComparison.Ordinal);
            Assert.Equal(verdict.Contains("envelope-from=<>;", StringComparison.Ordinal), e.MailFrom.Length == 0);
        }
    }
}
