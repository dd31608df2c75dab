using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;

namespace RelayWatch.Ingest.Tests.Support;

/// <summary>The property every parser must have, tested the same way for each: damaged lines are handled, never thrown on.</summary>
internal static class DamagedLines
{
    /// <summary>
    /// Feeds <paramref name="count"/> damaged copies of <paramref name="lines"/> (seeded, so a failure
    /// replays) to <paramref name="parser"/>: none throws; what it makes of them is well formed — an event
    /// only with an event outcome, UTC stamps, an event name, SMTP codes in range, client addresses that
    /// are addresses in canonical form (never a near-address such as <c>"12"</c> read as 0.0.0.12, never IPv4-mapped, no zone), the line's own number — and the damage is real: each outcome happens over 100 times.
    /// </summary>
    public static void AreHandled(ILogParser parser, IReadOnlyList<string> lines, LineOrigin origin, int seed, int count = 20_000)
    {
        var random = new Random(seed);
        var outcomes = new Dictionary<LineOutcome, int>();
        for (var i = 0; i < count; i++)
        {
            var line = LineDamage.Mutate(lines[random.Next(lines.Count)], random);
            var result = parser.Parse(line, origin, i + 1);

            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            Assert.False(string.IsNullOrEmpty(result.Kind));
            Assert.True(result.Event is null || result.Outcome == LineOutcome.Event, line);
            Assert.True(result.Event is null || result.Event.Line == (ulong)(i + 1), line);
            foreach (var e in parser.TakeReleased().Concat(result.Events))
            {
                Assert.Equal(TimeSpan.Zero, e.Timestamp.Offset);
                Assert.False(string.IsNullOrEmpty(e.Event), line);
                Assert.True(e.SmtpCode is 0 or (>= 200 and < 600), line);
                Assert.True(e.ClientIp.Length == 0 || IsCanonicalAddress(e.ClientIp), $"{e.ClientIp} from {line}");
            }
        }

        Assert.All(Enum.GetValues<LineOutcome>(), o => Assert.True(outcomes.GetValueOrDefault(o) > 100, $"{o}: {outcomes.GetValueOrDefault(o)}"));
    }

    /// <summary>
    /// Whether text is an address spelled as it should be stored: IPv4 as four dotted decimals that read back the
    /// same, IPv6 in its RFC 5952 form, not IPv4-mapped and without a zone. Checked independently of the parsers' reader.
    /// </summary>
    private static bool IsCanonicalAddress(string text) =>
        System.Net.IPAddress.TryParse(text, out var address)
        && address.ToString() == text
        && !address.IsIPv4MappedToIPv6
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? address.ScopeId == 0 : text.Count(c => c == '.') == 3);
}
