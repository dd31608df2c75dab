using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation.Tests;

/// <summary>
/// Each relay's writer told the same story directly, for what the actors make only at some relays:
/// a message accepted, refused by the next hop, and bounced by the relay itself to its sender — the
/// relay's own bounce line, its delivery, and the events ingest must read from them.
/// </summary>
public sealed class RelayWriterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("mx1", "bounce.ndr")]
    [InlineData("mx2", "exim.bounce_message")]
    [InlineData("esa1", "ironport.bounce_message")]
    [InlineData("mx4", "sendmail.dsn")]
    public void ARelayThatBouncesAMessageItTookLogsItsOwnBounce(string relay, string bounceKind)
    {
        var log = new SimLog(new MxRouting(1, DateOnly.FromDateTime(Start.UtcDateTime), 1));
        var writer = log.WriterFor(relay, 4101);
        var lines = new List<SimLine>();
        var at = Start;
        void Write(string kind, Dictionary<string, string> values, string program = "postfix/smtpd", int pid = 4101)
        {
            values.TryAdd("client_ip", "192.0.2.235");
            values.TryAdd("client_host", "unknown");
            values.TryAdd("client_port", "40123");
            values.TryAdd("helo", "[192.0.2.235]");
            values.TryAdd("tls", "no");
            writer.Write(lines, at, program, pid, kind, values);
            at = at.AddSeconds(0.2);
        }

        const string Sender = "kevin95@inbox.example.org";
        const string Recipient = "x123456@legacy.ours.example";
        Write("smtpd.connect", []);
        Write("smtpd.client", new() { ["queue_id"] = "A1B2C3D4E5", ["mail_from"] = Sender, ["recipients"] = Recipient });
        Write("cleanup.message_id", new() { ["queue_id"] = "A1B2C3D4E5", ["message_id"] = "4711@inbox.example.org" }, "postfix/cleanup", 4102);
        Write("qmgr.queued", new() { ["queue_id"] = "A1B2C3D4E5", ["mail_from"] = Sender, ["size"] = "4096", ["nrcpt"] = "1" }, "postfix/qmgr", 900);
        Write("smtpd.disconnect", new() { ["command_counts"] = " ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" });
        Write("delivery", new()
        {
            ["queue_id"] = "A1B2C3D4E5", ["rcpt_to"] = Recipient, ["next_hop"] = "domino1.ours.example[10.20.0.5]:2222", ["delay"] = "0.8", ["delays"] = "0.3/0.01/0.2/0.3",
            ["dsn"] = "5.1.1", ["status"] = "bounced", ["detail"] = $"host domino1.ours.example[10.20.0.5] said: 550 5.1.1 <{Recipient}>... User unknown (in reply to RCPT TO command)",
        }, "postfix/smtp", 4103);
        Write("bounce.ndr", new() { ["queue_id"] = "A1B2C3D4E5", ["ndr_queue_id"] = "F6A7B8C9D0" }, "postfix/bounce", 4104);
        Write("qmgr.removed", new() { ["queue_id"] = "A1B2C3D4E5" }, "postfix/qmgr", 900);
        Write("cleanup.message_id", new() { ["queue_id"] = "F6A7B8C9D0", ["message_id"] = "20261124100001.F6A7B8C9D0@" + relay + ".ours.example" }, "postfix/cleanup", 4102);
        Write("qmgr.queued", new() { ["queue_id"] = "F6A7B8C9D0", ["mail_from"] = string.Empty, ["size"] = "4821", ["nrcpt"] = "1" }, "postfix/qmgr", 900);
        Write("delivery", new()
        {
            ["queue_id"] = "F6A7B8C9D0", ["rcpt_to"] = Sender, ["next_hop"] = "mx.inbox.example.org[198.51.100.14]:25", ["delay"] = "0.6", ["delays"] = "0.01/0.01/0.3/0.3",
            ["dsn"] = "2.0.0", ["status"] = "sent", ["detail"] = "250 2.0.0 Ok: queued",
        }, "postfix/smtp", 4105);
        Write("qmgr.removed", new() { ["queue_id"] = "F6A7B8C9D0" }, "postfix/qmgr", 900);

        var text = lines.OrderBy(l => l.Time).ThenBy(l => l.Order).Select(SimLog.Format).ToList();
        var format = LogFormats.Detect(text);
        Assert.NotNull(format);
        var parser = LogFormats.CreateParser(format.Value);
        var origin = new LineOrigin(relay, relay, TimestampContext.Utc(2026));
        var results = text.Select((l, i) => parser.Parse(l, origin, i + 1)).ToList();
        var events = results.Select(r => r.Event).OfType<SmtpEvent>().Concat(parser.TakeWaiting(relay)).ToList();

        Assert.All(results.Zip(text), r => Assert.True(r.First.Outcome != LineOutcome.Unrecognised, $"{r.First.Kind}: {r.Second}"));
        Assert.Contains(results, r => r.Kind == bounceKind);
        Assert.Contains(events, e => e.Event == "bounce" && e.RcptTo == Recipient);
        Assert.Contains(events, e => e.Event == "delivery" && e.RcptTo == Sender && e.MailFrom.Length == 0);
    }
}
