using System.Text;
using RelayWatch.Ingest.Sources;

namespace RelayWatch.Ingest.Tests.Sources;

public sealed class SyslogFramerTests
{
    private const int Limit = 480;

    public static TheoryData<string, string[], string> Streams() => new()
    {
        // Octet counting: frames of every size, an empty one, line endings between frames (some senders add them).
        { "5 hello0 3 abc\n11 <13>message", ["hello", "abc", "<13>message"], "" },
        // A frame over the limit is skipped exactly; the one after it is read as sent.
        { $"{Limit + 1} {new string('x', Limit - 8)}2 forged!3 end", ["end"], "frame_too_long" },
        // Newline framing: CR LF, a last message without its newline.
        { "<13>one\r\n<13>two\n<13>three", ["<13>one", "<13>two", "<13>three"], "" },
        // A line over the limit is cut; its tail is not a message.
        { new string('y', Limit) + "<13>forged\n<13>next\n", [new string('y', Limit), "<13>next"], "line_cut" },
        // Exactly the limit is not over it.
        { new string('z', Limit) + "\n<13>next\n", [new string('z', Limit), "<13>next"], "" },
        // A length that is no number loses the framing: nothing after it is read.
        { "5 hello5x world", ["hello"], "bad_frame" },
        // A counted frame cut off by the end of the connection.
        { "5 hello9 cut", ["hello"], "incomplete_frame" },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void EveryWayOfCuttingTheStreamIntoReadsGivesTheSameMessages(string stream, string[] expected, string dropped)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        foreach (var chunk in new[] { 1, 2, 3, 7, 64, bytes.Length })
        {
            var drops = new ListenerDrops();
            var framer = new SyslogFramer(Limit, drops);
            var messages = new List<string>();
            for (var i = 0; i < bytes.Length && !framer.Lost; i += chunk)
            {
                framer.Push(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), messages);
            }

            framer.End(messages);

            Assert.Equal(expected, messages);
            Assert.Equal(dropped, drops.ToString() is { Length: > 0 } d ? d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..] : string.Empty);
        }
    }
}
