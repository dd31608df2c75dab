using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// The incident every estate fears: for an hour on the first simulated day the relay is
/// misconfigured (a change widened the networks it trusts), and a spammer who was probing finds it
/// open. Unauthenticated mail for foreign domains is accepted and delivered out to the Internet.
/// </summary>
internal sealed class OpenRelayAbuse(Estate estate, SimLog log, int seed, int actorIndex, DateOnly incidentDay) : IActor
{
    private static readonly string[] Victims = ["mailbox.example.net", "inbox.example.org", "webmail.example.com", "post.example.net"];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        if (day != incidentDay)
        {
            yield break;
        }

        var random = SimRandom.For(seed, actorIndex, day);
        var ip = string.Create(CultureInfo.InvariantCulture, $"192.0.2.{random.Next(240, 251)}");
        var helo = $"{(char)('a' + random.Next(26))}{random.Next(1000, 9999)}.example.biz";
        var start = day.ToDateTime(new TimeOnly(random.Next(1, 22), random.Next(60)), DateTimeKind.Utc);
        var at = new DateTimeOffset(start);
        var sender = $"offers@{helo}";
        var messages = 3 + random.Next(6);
        var recipients = new List<string>();
        var first = at;
        for (var message = 0; message < messages; message++)
        {
            var victim = SimRandom.Pick(random, Victims);
            var to = Enumerable.Range(0, 5 + random.Next(16)).Select(_ => string.Create(CultureInfo.InvariantCulture, $"user{random.Next(10_000)}@{victim}")).Distinct().ToList();
            recipients.AddRange(to);
            var session = new SmtpSession(log, 46_000 + random.Next(1000), "unknown", ip, helo, at);
            session.Connect();
            var hop = string.Create(CultureInfo.InvariantCulture, $"mx.{victim}[198.51.100.{random.Next(1, 40)}]:25");
            InboundMessage.Accept(session, random, estate, sender, to, helo, 46_000 + random.Next(1000), hop);
            yield return session.Lines;
            at = session.Now.AddSeconds(30 + random.Next(600));
        }

        truth.Add(new TruthRecord("open_relay", [ip], first, at, log.Routing.RelaysOf(ip), new Dictionary<string, object>
        {
            ["messages"] = (long)messages, ["mail_from"] = sender, ["recipients"] = recipients.Count, ["relayed_by"] = string.Join(",", log.Routing.RelaysOf(ip)),
        }));
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
