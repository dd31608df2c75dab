using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using Xunit.Abstractions;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// Exim's synchronization-error lines quote the client's own words on both sides of the client field Exim
/// writes itself: the command it sent too early (<c>rejected "CMD" H=… next input="…"</c>), the input it
/// sent before the greeting (<c>rejected connection from H=… input="…"</c>), and inside <c>H=</c> its HELO
/// (<c>H=(helo) [ip]:port</c>). Text there shaped like <c>H=[ip]:port</c> or <c>) [ip]:port (</c> must never
/// move the blame to another address: the line is the real client's, or, when it reads two ways, no one's.
/// Every line is written for this test in Exim's wording; the smuggled address is always 192.0.2.44 and
/// the real client 203.0.113.9.
/// </summary>
public sealed class ForgedHostFieldsInEximClientText(ITestOutputHelper output)
{
    private const string Smuggled = "192.0.2.44";

    private const string TooSoon = "2026-11-24 10:00:00.000 [4401] SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected ";

    private const string BeforeGreeting = "2026-11-24 10:00:00.000 [4402] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from ";

    public static TheoryData<string, string> ForgedButTheRealClientReadsOneWay() => new()
    {
        { "an H= inside the early command", TooSoon + "\"MAIL FROM:<x H=[192.0.2.44]:25>\" H=(bad.example) [203.0.113.9]:5000 next input=\"RCPT TO:<a@ours.example>\\r\\n\"" },
        { "a quote and an H= inside the early command", TooSoon + "\"MAIL FROM:<x\" H=[192.0.2.44]:25\" H=(bad.example) [203.0.113.9]:5000 next input=\"RCPT TO:<a@ours.example>\\r\\n\"" },
        { "a client address inside the HELO", TooSoon + "\"DATA\" H=(x) [192.0.2.44]:25 (y) [203.0.113.9]:5000 next input=\"Subject: hi\\r\\n\"" },
        { "a client address inside the HELO before Exim's I=", TooSoon + "\"DATA\" H=(x) [192.0.2.44]:25 (y) [203.0.113.9]:5000 I=[192.0.2.25]:25 next input=\"Subject: hi\\r\\n\"" },
        { "an H= inside the input after the command", TooSoon + "\"EHLO x\" H=[203.0.113.9]:5000 next input=\"MAIL FROM:<a> H=[192.0.2.44]:25\\r\\n\"" },
        { "an H= inside the input sent before the greeting", BeforeGreeting + "H=[203.0.113.9]:5000 input=\"EHLO x H=[192.0.2.44]:25 input=\\r\\n\"" },
    };

    [Theory]
    [MemberData(nameof(ForgedButTheRealClientReadsOneWay))]
    public void TheSynchronizationErrorBlamesTheClientEximNamed(string attack, string line)
    {
        var result = Parse(line);

        output.WriteLine($"{attack}: {result.Outcome} {result.Kind} {result.Event?.ClientIp}");
        Assert.Equal(LineOutcome.Event, result.Outcome);
        Assert.Equal((EventNames.Pipelining, "203.0.113.9"), (result.Event!.Event, result.Event.ClientIp));
    }

    /// <summary>The command forges a whole client field and its end: the line reads as two clients, so it blames neither and shows as unrecognised.</summary>
    [Fact]
    public void ASynchronizationErrorThatReadsAsTwoClientsBlamesNoOne()
    {
        var result = Parse(TooSoon + "\"x\" H=[192.0.2.44]:25 next input=\"y\" H=(bad.example) [203.0.113.9]:5000 next input=\"z\\r\\n\"");

        Assert.Equal((LineOutcome.Unrecognised, "two clients named in exim synchronization error line"), (result.Outcome, result.Kind));
        Assert.Null(result.Event);
    }

    /// <summary>The HELO Exim shows is the client's whole HELO, forged brackets and all.</summary>
    [Fact]
    public void TheForgedHeloIsKeptWholeAsTheHelo()
    {
        var result = Parse(TooSoon + "\"DATA\" H=(x) [192.0.2.44]:25 (y) [203.0.113.9]:5000 next input=\"Subject: hi\\r\\n\"");

        Assert.Equal("x) [192.0.2.44]:25 (y", result.Event!.Helo);
        Assert.NotEqual(Smuggled, result.Event.ClientIp);
    }

    private static LineResult Parse(string line) =>
        LogFormats.CreateParser(LogFormat.Exim).Parse(line, new LineOrigin(Path.Combine("logs", "mx3", "mainlog"), "mx3", TimestampContext.Utc(2026)), 1);
}
