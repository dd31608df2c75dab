using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Tests.Support;
using Sprache;

namespace RelayWatch.Ingest.Tests.Formats.Domino;

/// <summary>
/// The span readers on the hot path against the grammar they stand for: the sample's listener and Router
/// texts, and many damaged copies of them (seeded), read alike — success, fields and all.
/// </summary>
public sealed class DominoFieldReaderTests
{
    private static readonly string[] Texts =
    [
        .. File.ReadLines(SampleFiles.PathOf("domino/domino1/console.log"))
            .Select(l => l.IndexOf("SMTP Server: ", StringComparison.Ordinal) is var s and >= 0 ? l[(s + 13)..]
                : l.IndexOf("Router: ", StringComparison.Ordinal) is var r and >= 0 ? l[(r + 8)..] : null)
            .OfType<string>(),
        "Message 0003A2B1, 0003A2B2 transferred to HUB1/Ours for Erin Hill/Ours from carol@example.net Size: 2K via Notes",
        "Message 0003A2B1 delivered to X from y@z Size: 3K Time: 00:00:01",
        "Message 0003A2B1 delivered to X from y@z",
        "Message 0003A2B1 transferred to h for r from s via SMTP",
        "Message 0003A2B1 NOT transferred via SMTP to h for r from s OID: 1:2 Size: 1K Error",
        "Message 00364B87 (MessageID: <<a>>) received from [192.0.2.1] size 12 bytes",
        "Message 00364B87 (MessageID: x) received from mx.example (2001:db8::1)",
        "Message 00364B87 (MessageID: x) received from 192.0.2.1 size 1234567890123456 bytes",
        "Message 00364B87 (MessageID: <m@b>) received",
        "Message 00364B87 (MessageID: <a) received from 192.0.2.44 size 1 bytes (b>) received from 192.0.2.1 size 12 bytes",
        "Message 00364B87 (MessageID: <a) received from 192.0.2.44 (b>) received",
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void TheSpanReadersReadAsTheGrammarDoes(int seed)
    {
        var random = new Random(seed);
        var texts = seed == 0 ? Texts : Enumerable.Range(0, 5000).Select(_ => LineDamage.Mutate(Texts[random.Next(Texts.Length)], random)).ToArray();
        var read = 0;
        foreach (var text in texts)
        {
            var received = DominoGrammar.MessageReceived.TryParse(text);
            Assert.True(received.WasSuccessful == DominoFieldReader.TryReadReceived(text, out var fast), text);
            Assert.True(!received.WasSuccessful || received.Value == fast, text);

            var router = DominoGrammar.Delivered.Or(DominoGrammar.Transferred).Or(DominoGrammar.NotTransferred).TryParse(text);
            Assert.True(router.WasSuccessful == DominoFieldReader.TryReadRouter(text, out var line, out _), text);
            Assert.True(!router.WasSuccessful || router.Value == line, router.WasSuccessful ? $"{text}\n{router.Value}\n{line}" : text);

            foreach (var start in new[] { 0, Math.Max(0, text.IndexOf('[', StringComparison.Ordinal)), Math.Max(0, text.LastIndexOf(' ') + 1) })
            {
                var client = DominoGrammar.Client.TryParse(text[start..]);
                Assert.True(client.WasSuccessful == DominoFieldReader.TryReadClient(text, start, out var quick, out var end), text[start..]);
                Assert.True(!client.WasSuccessful || (client.Value == quick && client.Remainder.Position + start == end), text[start..]);
            }

            read += received.WasSuccessful || router.WasSuccessful ? 1 : 0;
        }

        Assert.True(read > texts.Length / 10, $"{read} of {texts.Length} texts read");
    }
}
