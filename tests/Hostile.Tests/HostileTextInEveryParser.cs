using System.Net;
using System.Text.RegularExpressions;
using RelayWatch.Hostile.Tests.Support;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// The parser half of the hostile-text fuzz run (the exports have theirs beside it): each format's sample lines with one word replaced by generated attacker text (mixed
/// scripts, bidi controls, every quote, CR/LF/NUL, 64 KiB fields; fixed seeds, so a failure replays).
/// No line throws; every line gets an outcome; and no text an attacker controls can name a client: an
/// event's client address is one the undamaged sample already held (its own line's, or, through
/// correlation, an earlier line's of the same session or message), in canonical form.
/// </summary>
public sealed partial class HostileTextInEveryParser
{
    /// <summary>Lines per format and sample; CI runs 3,000, <c>bench/parser-fuzz.sh</c> as many as it is given.</summary>
    private static readonly int LinesPerSample =
        int.TryParse(Environment.GetEnvironmentVariable("RELAYWATCH_PARSER_FUZZ_LINES"), out var lines) && lines > 0 ? lines : 3_000;

    public static TheoryData<string, string, int> Formats() => new()
    {
        { "postfix", "postfix/mail.log", 1 },
        { "exim", "exim/mx3/mainlog", 2 },
        { "sendmail", "sendmail/mx4/maillog", 3 },
        { "domino", "domino/domino1/console.log", 4 },
        { "ironport", "ironport/esa1/mail_logs", 5 },
        { "exchange", "exchange/edge1/RECV2026112400-1.LOG", 6 },
        { "exchange", "exchange/edge1/MSGTRK2026112400-1.LOG", 7 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void AttackerTextInAnyWordNeverThrowsAndNeverNamesANewClient(string format, string sample, int seed)
    {
        var path = Path.Combine(RepositoryFolders.Samples, sample);
        var lines = File.ReadAllLines(path);
        var parser = LogFormats.CreateParser(LogFormats.Parse(format)!.Value);
        var origin = new LineOrigin(path, null, TimestampContext.Utc(2026));
        var hostile = new HostileText(seed);
        var random = new Random(seed);
        var number = 0L;
        foreach (var header in lines.Where(l => l.StartsWith('#')))
        {
            parser.Parse(header, origin, ++number);
        }

        var data = lines.Where(l => !l.StartsWith('#') && l.Length > 0).ToArray();
        var written = data.SelectMany(AddressesIn).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < LinesPerSample; i++)
        {
            var original = data[random.Next(data.Length)];
            var line = ReplaceAWord(original, hostile.Next(), random);

            var result = parser.Parse(line, origin, ++number);

            Assert.False(string.IsNullOrEmpty(result.Kind));
            foreach (var e in parser.TakeReleased().Concat(result.Events))
            {
                Assert.True(e.ClientIp.Length == 0 || written.Contains(e.ClientIp), $"{format} blamed {e.ClientIp} for: {Shorten(line)}");
            }
        }
    }

    /// <summary>The line with one of its space-separated words replaced by <paramref name="text"/>.</summary>
    private static string ReplaceAWord(string line, string text, Random random)
    {
        var words = line.Split(' ');
        words[random.Next(words.Length)] = text;
        return string.Join(' ', words);
    }

    /// <summary>Every address written in the line, canonical (what a parser may name as the client).</summary>
    private static IEnumerable<string> AddressesIn(string line) =>
        AddressLike().Matches(line.Replace("IPv6:", " ", StringComparison.OrdinalIgnoreCase)).Select(m => IPAddress.TryParse(m.Value, out var a) ? Canonical(a) : null).OfType<string>();

    private static string Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();

    private static string Shorten(string line) => line.Length <= 300 ? line : line[..300] + "…";

    [GeneratedRegex(@"[0-9A-Fa-f:.]{3,}")]
    private static partial Regex AddressLike();
}
