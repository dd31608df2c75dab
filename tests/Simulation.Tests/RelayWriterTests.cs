using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Simulation.Tests.Support;

namespace RelayWatch.Simulation.Tests;

/// <summary>
/// Each relay's writer told every kind of event (<see cref="RelayScript"/>), read back as ingest reads
/// its files: every line recognised, and the events that say what happened — the bot refused for its
/// DNSBL listing, the harvester's unknown users and relaying attempt, the guesser's failed logins, the
/// service's message delivered to Domino, its message to a customer deferred once and then delivered
/// (and said to have arrived once), and the relay's own bounce of a message the next hop refused.
/// </summary>
public sealed class RelayWriterTests
{
    [Theory]
    [InlineData("mx1", "bounce.ndr")]
    [InlineData("mx2", "exim.bounce_message")]
    [InlineData("esa1", "ironport.bounce_message")]
    [InlineData("mx4", "sendmail.dsn")]
    [InlineData("EDGE1", "exchange.dsn")]
    public void EveryRelayTellsEveryKindOfEventInWordsIngestReads(string relay, string bounceKind)
    {
        var results = new List<(string Line, LineResult Result)>();
        var events = new List<SmtpEvent>();
        foreach (var (file, lines) in RelayScript.Write(relay))
        {
            var format = LogFormats.Detect(lines);
            Assert.NotNull(format);
            var parser = LogFormats.CreateParser(format.Value);
            var origin = new LineOrigin(file, relay, TimestampContext.Utc(2026));
            foreach (var (line, number) in lines.Select((l, i) => (l, i + 1)))
            {
                var result = parser.Parse(line, origin, number);
                results.Add((line, result));
                events.AddRange(result.Events);
                events.AddRange(parser.TakeReleased());
            }

            events.AddRange(parser.TakeWaiting(file));
        }

        Assert.All(results, r => Assert.True(r.Result.Outcome != LineOutcome.Unrecognised, $"{r.Result.Kind}: {r.Line}"));
        List<string> Reasons(string ip) => [.. events.Where(e => e.ClientIp == ip && e.Event is "rcpt_reject" or "reject").Select(e => e.Reason).Order(StringComparer.Ordinal)];
        Assert.Contains("rbl", Reasons(RelayScript.Bot));
        Assert.Equal(["relay_denied", "user_unknown", "user_unknown"], Reasons(RelayScript.Harvester));
        Assert.Equal(2, events.Count(e => e.ClientIp == RelayScript.Guesser && e.Event == "auth_failure"));
        Assert.Contains(events, e => e.Event == "delivery" && e.RcptTo == "alice.smith@ours.example" && e.NextHop.Contains("[10.20.0.5]", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Event == "defer" && e.RcptTo == RelayScript.Customer);
        Assert.Single(events, e => e.Event == "delivery" && e.RcptTo == RelayScript.Customer);
        // Postfix announces the message again when it comes back from the deferred queue: still one message.
        Assert.Single(events, e => e.Event == "message" && e.MessageId == "4711.C1D2E3F4A5@example.org");
        Assert.Contains(results, r => r.Result.Kind == bounceKind);
        Assert.Contains(events, e => e.Event == "bounce" && e.RcptTo == RelayScript.Recipient);
        Assert.Contains(events, e => e.Event == "delivery" && e.RcptTo == RelayScript.Sender && e.MailFrom.Length == 0);
    }
}
