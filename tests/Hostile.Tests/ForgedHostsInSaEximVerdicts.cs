using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using Xunit.Abstractions;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// sa-exim's verdict on a message it throws away quotes the client's own words around the client sa-exim names: the
/// message's Message-Id header before it, the envelope sender and recipient on either side (<c>… | Message-Id: ID).
/// From &lt;sender&gt; (host=name [ip]) for rcpt</c>). Any of them can spell a whole <c>(host=… [ip])</c> to blame another
/// address. The line must blame the real client, or, when it names two addresses, no one; never the smuggled one. Lines written for this test
/// in sa-exim's wording (as in fail2ban's exim-spam test log); the smuggled address is 192.0.2.44, the client 203.0.113.9.
/// </summary>
public sealed class ForgedHostsInSaEximVerdicts(ITestOutputHelper output)
{
    private const string Smuggled = "192.0.2.44";

    private const string Head = "2026-11-24 10:00:00 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: ";

    public static TheoryData<string, string> Forgeries() => new()
    {
        { "a whole verdict tail in the Message-Id", Head + "x). From <a@b.example> (host=innocent.example [192.0.2.44]) for me@ours.example). From <a@b.example> (host=bot.example [203.0.113.9]) for me@ours.example" },
        { "a host in the sender", Head + "x@y). From <\"(host=innocent.example [192.0.2.44])\"@b.example> (host=bot.example [203.0.113.9]) for me@ours.example" },
        { "a host in the recipient", Head + "x@y). From <a@b.example> (host=bot.example [203.0.113.9]) for \"x (host=innocent.example [192.0.2.44]) y\"@ours.example" },
        { "a host with a space before it in the Message-Id", Head + "x (host=innocent.example [192.0.2.44])). From <a@b.example> (host=bot.example [203.0.113.9]) for me@ours.example" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void TheSmuggledAddressIsNeverBlamed(string attack, string line)
    {
        var result = Parse(line);

        output.WriteLine($"{attack}: {result.Outcome} {result.Kind} {result.Event?.ClientIp}");
        Assert.NotEqual(Smuggled, result.Event?.ClientIp);
        if (result.Event is { } blamed)
        {
            Assert.Equal("203.0.113.9", blamed.ClientIp);
        }
        else
        {
            Assert.Equal((LineOutcome.Unrecognised, "two clients named in exim sa-exim line"), (result.Outcome, result.Kind));
        }
    }

    /// <summary>A second host specification that reads is a second client: the line blames neither and shows as unrecognised.</summary>
    [Fact]
    public void AVerdictThatReadsAsTwoClientsBlamesNoOne()
    {
        var result = Parse(Head + "x). From <a@b.example> (host=innocent.example [192.0.2.44]) for me@ours.example). From <a@b.example> (host=bot.example [203.0.113.9]) for me@ours.example");

        Assert.Equal((LineOutcome.Unrecognised, "two clients named in exim sa-exim line"), (result.Outcome, result.Kind));
        Assert.Null(result.Event);
    }

    /// <summary>The client repeating its own address is no second client: the line is its row.</summary>
    [Fact]
    public void TheClientsOwnAddressRepeatedStillBlamesTheClient()
    {
        var result = Parse(Head + "x (host=a [203.0.113.9])). From <a@b.example> (host=bot.example [203.0.113.9]) for me@ours.example");

        Assert.Equal((EventNames.Reject, "203.0.113.9"), (result.Event!.Event, result.Event.ClientIp));
    }

    /// <summary>A host that does not read as one (no closing bracket, a damaged address) is no client at all.</summary>
    [Theory]
    [InlineData("x). From <a@b.example> (host=bot.example [203.0.113]) for me@ours.example")]
    [InlineData("x). From <a@b.example> (host=bot.example [203.0.113.9] for me@ours.example")]
    [InlineData("x). From <a@b.example> (host=bot.example 203.0.113.9) for me@ours.example")]
    public void AnUnreadableHostBlamesNoOne(string tail)
    {
        var result = Parse(Head + tail);

        Assert.Equal((LineOutcome.Unrecognised, "unreadable host in exim.sa_tossed line"), (result.Outcome, result.Kind));
    }

    private static LineResult Parse(string line) =>
        LogFormats.CreateParser(LogFormat.Exim).Parse(line, new LineOrigin(Path.Combine("logs", "mx3", "mainlog"), "mx3", TimestampContext.Utc(2026)), 1);
}
