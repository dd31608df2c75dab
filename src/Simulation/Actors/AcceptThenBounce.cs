using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Us as the backscatter source: a legacy subdomain of ours, whose MX is the Cisco appliance that came
/// with it (<see cref="MxRouting.LegacyMx"/>), is relayed to Domino without a recipient table (no LDAP
/// acceptance query for it), so spam to made-up addresses there is accepted, refused by Domino, and
/// bounced by our appliance to the forged senders — innocent third parties. One spammer a day.
/// </summary>
internal sealed class AcceptThenBounce(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private static readonly string[] ForgedDomains = ["example.net", "example.org", "mailer.example.com", "post.example.net", "inbox.example.org"];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var ip = string.Create(CultureInfo.InvariantCulture, $"192.0.2.{random.Next(230, 240)}");
        var legacy = "legacy." + estate.Domain;
        var at = SimRandom.Diurnal(random, day);
        var first = at;
        var forged = new List<string>();
        var messages = 4 + random.Next(9);
        for (var message = 0; message < messages; message++)
        {
            var sender = string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(10, 99)}@{SimRandom.Pick(random, ForgedDomains)}");
            forged.Add(sender);
            var recipient = string.Create(CultureInfo.InvariantCulture, $"x{random.Next(100_000, 999_999)}@{legacy}");
            var pid = 47_000 + random.Next(1000);
            var session = new SmtpSession(log, pid, "unknown", ip, $"[{ip}]", at, relay: MxRouting.LegacyMx);
            session.Connect();
            session.AcceptRcpt();
            var queueId = SimRandom.QueueId(random);
            session.Wait(0.3).Client(queueId, sender, [recipient]);
            session.Wait(0.01).Add("cleanup.message_id", new() { ["queue_id"] = queueId, ["message_id"] = $"{random.Next():x8}@{sender.Split('@')[1]}" }, "postfix/cleanup", pid + 1);
            session.Wait(0.02).Add("qmgr.queued", new()
            {
                ["queue_id"] = queueId, ["mail_from"] = sender, ["size"] = random.Next(3_000, 40_000).ToString(CultureInfo.InvariantCulture), ["nrcpt"] = "1",
            }, "postfix/qmgr", 900);
            session.Wait(0.05).Disconnect(withMessage: true);
            estate.DominoServer.Refuse(session, session.Wait(0.4).Now.AddSeconds(-0.02), random, recipient);
            session.Add("delivery", new()
            {
                ["queue_id"] = queueId, ["rcpt_to"] = recipient, ["next_hop"] = estate.Domino, ["delay"] = "0.8", ["delays"] = "0.3/0.01/0.2/0.3",
                ["dsn"] = "5.1.1", ["status"] = "bounced",
                ["detail"] = $"host {estate.DominoServer.Host}[{DominoServer.Ip}] said: 550 5.1.1 <{recipient}>... User unknown (in reply to RCPT TO command)",
            }, "postfix/smtp", pid + 2);
            var notification = SimRandom.QueueId(random);
            session.Wait(0.01).Add("bounce.ndr", new() { ["queue_id"] = queueId, ["ndr_queue_id"] = notification }, "postfix/bounce", pid + 3);
            session.Wait(0.01).Add("qmgr.removed", new() { ["queue_id"] = queueId }, "postfix/qmgr", 900);
            session.Wait(0.01).Add("cleanup.message_id", new() { ["queue_id"] = notification, ["message_id"] = $"{session.Now.ToUnixTimeSeconds()}.{notification}@{session.Relay}.{estate.Domain}" }, "postfix/cleanup", pid + 1);
            session.Wait(0.02).Add("qmgr.queued", new() { ["queue_id"] = notification, ["mail_from"] = string.Empty, ["size"] = "4821", ["nrcpt"] = "1" }, "postfix/qmgr", 900);
            var hop = string.Create(CultureInfo.InvariantCulture, $"mx.{sender.Split('@')[1]}[198.51.100.{random.Next(1, 40)}]:25");
            session.Wait(0.6).Add("delivery", new()
            {
                ["queue_id"] = notification, ["rcpt_to"] = sender, ["next_hop"] = hop, ["delay"] = "0.6", ["delays"] = "0.01/0.01/0.3/0.3",
                ["dsn"] = "2.0.0", ["status"] = "sent", ["detail"] = "250 2.0.0 Ok: queued",
            }, "postfix/smtp", pid + 4);
            session.Wait(0.01).Add("qmgr.removed", new() { ["queue_id"] = notification }, "postfix/qmgr", 900);
            yield return session.Lines;
            at = session.Now.AddSeconds(60 + random.Next(1800));
        }

        truth.Add(new TruthRecord("bounce_source", [ip], first, at, log.Routing.RelaysOf(ip), new Dictionary<string, object>
        {
            ["relay"] = string.Join(",", log.Routing.RelaysOf(ip)), ["ndrs"] = (long)messages, ["forged_senders"] = forged, ["accepting_domain"] = legacy,
        }));
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
