using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store.Vocabulary;
using RelayWatch.Tests.Shared;
using Xunit.Abstractions;

namespace RelayWatch.Ingest.Tests.Events;

/// <summary>
/// <see cref="ReplyReasons.Classify"/> finds the phrases in one pass; what it returns must be what the plain rule
/// gives: after blanking each <c>&lt;…&gt;</c>, the reason of the first phrase in table order that appears anywhere.
/// </summary>
public sealed class ReplyReasonsTests(ITestOutputHelper output)
{
    /// <summary>The plain rule, a <c>Contains</c> a phrase in table order (how <c>Classify</c> worked before its one-pass search).</summary>
    private static string FirstInTableOrder(string text)
    {
        var copy = text.ToCharArray();
        ReplyReasons.BlankAddresses(copy);
        foreach (var (phrase, reason) in ReplyReasons.Phrases)
        {
            if (copy.AsSpan().Contains(phrase, StringComparison.Ordinal))
            {
                return reason;
            }
        }

        return Reasons.Other;
    }

    [Theory]
    // A phrase later in the text but earlier in the table wins.
    [InlineData("550 5.7.1 Relay access denied; also User unknown", "user_unknown")]
    [InlineData("Domain of sender address a@b does not exist", "sender_rejected")]
    [InlineData("553 5.3.0 <\"User unknown\"@elsewhere>: Relay access denied", "relay_denied")]
    [InlineData("554 rejected by policy", "policy")]
    [InlineData("451 try again later", "other")]
    [InlineData("", "other")]
    [InlineData("<unclosed User unknown", "user_unknown")]
    // Overlapping phrases: "user unknown" (table index 2) starts inside "Unknown user" (index 3).
    [InlineData("Unknown user unknown", "user_unknown")]
    [InlineData("Client host rejected by policy, listed at zen", "rbl")]
    [InlineData("Policy blocked using zen", "rbl")]
    public void TheFirstPhraseInTableOrderNamesTheReason(string text, string expected)
    {
        Assert.Equal(expected, ReplyReasons.Classify(text));
        Assert.Equal(expected, FirstInTableOrder(text));
    }

    [Fact]
    public void GeneratedTextsMixingSeveralPhrasesAgreeWithTheTableOrder()
    {
        var phrases = ReplyReasons.Phrases.Select(p => p.Phrase).ToArray();
        // Near misses: each phrase cut short, its first letter's case flipped, and its last letter dropped.
        var nearMisses = phrases.SelectMany(p => new[]
        {
            p[..(p.Length / 2)],
            (char.IsUpper(p[0]) ? char.ToLowerInvariant(p[0]) : char.ToUpperInvariant(p[0])) + p[1..],
            p[..^1],
        }).ToArray();
        string[] filler = ["550", "5.7.1", " ", "; ", ": ", "<", ">", "\"", "a@example.org", "<b@example.net>", "[192.0.2.1]", "x", "ü", "\t"];
        var random = new Random(20261208);
        var byReason = new Dictionary<string, int>(StringComparer.Ordinal);
        // Classify scans a short text a phrase at a time and searches a longer one: both must be reached.
        var (shortTexts, longTexts) = (0, 0);
        for (var n = 0; n < 50_000; n++)
        {
            var text = new System.Text.StringBuilder();
            var pieces = random.Next(0, 9);
            for (var p = 0; p < pieces; p++)
            {
                var pick = random.Next(10);
                text.Append(pick < 4 ? phrases[random.Next(phrases.Length)] : pick < 6 ? nearMisses[random.Next(nearMisses.Length)] : filler[random.Next(filler.Length)]);
                if (random.Next(3) == 0)
                {
                    text.Append(' ');
                }
            }

            if (random.Next(50) == 0)
            {
                // Past the stack buffer Classify blanks a short text in.
                text.Insert(0, new string('z', 1100));
            }

            var line = text.ToString();
            var expected = FirstInTableOrder(line);
            Assert.True(expected == ReplyReasons.Classify(line), $"text: {line}");
            byReason[expected] = byReason.GetValueOrDefault(expected) + 1;
            (shortTexts, longTexts) = line.Length < 32 ? (shortTexts + 1, longTexts) : (shortTexts, longTexts + 1);
        }

        Assert.True(shortTexts > 5_000 && longTexts > 5_000, $"{shortTexts} short texts, {longTexts} long ones");

        output.WriteLine(string.Join(", ", byReason.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value}")));
        // The generator must reach every reason of the table and "other", or the agreement proves little.
        Assert.Equal(ReplyReasons.Phrases.Select(p => p.Reason).Append(Reasons.Other).Distinct().Count(), byReason.Count);
    }

    [CorpusFact]
    public void EveryCorpusLineAgreesWithTheTableOrder()
    {
        var lines = 0;
        var classified = 0;
        foreach (var row in File.ReadLines(Corpora.PathOf("INDEX.tsv")).Skip(1).Select(l => l.Split('\t')))
        {
            if (row.Length < 2 || row[1].StartsWith("dmarc", StringComparison.Ordinal) || !File.Exists(Corpora.PathOf(row[0])))
            {
                continue;
            }

            foreach (var line in Corpora.Lines(row[0]))
            {
                // Whole lines: a refusal's text is a part of one, and the rule holds for any text.
                var expected = FirstInTableOrder(line);
                Assert.True(expected == ReplyReasons.Classify(line), $"{row[0]}: {line}");
                lines++;
                classified += expected == Reasons.Other ? 0 : 1;
            }
        }

        output.WriteLine($"{lines} corpus lines, {classified} with a known phrase");
        Assert.True(classified > 1000, $"only {classified} corpus lines hold a known phrase");
    }
}
