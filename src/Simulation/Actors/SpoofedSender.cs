using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Mail from outside, unauthenticated, that claims to come from us: our own domain in MAIL FROM
/// (the CEO-fraud pattern) or a look-alike of it. The relay accepts and delivers it, so only the
/// logs' sender and client address tell the story.
/// </summary>
internal sealed class SpoofedSender(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private static readonly string[] Roles = ["ceo", "finance", "it-support", "payroll", "hr"];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var lookAlikes = new[] { "0urs.example", "ours-example.com", "oursexample.com", "ours.example.co" };
        var campaigns = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        for (var campaign = 0; campaign < 1 + random.Next(2); campaign++)
        {
            var lookAlike = random.NextDouble() < 0.4;
            var domain = lookAlike ? SimRandom.Pick(random, lookAlikes) : estate.Domain;
            var from = $"{SimRandom.Pick(random, Roles)}@{domain}";
            var ip = random.NextDouble() < 0.7
                ? string.Create(CultureInfo.InvariantCulture, $"198.51.100.{random.Next(100, 140)}")
                : string.Create(CultureInfo.InvariantCulture, $"2001:db8:bad:{random.Next(1, 0xff):x}::{random.Next(1, 0xfff):x}");
            var host = "unknown";
            var start = SimRandom.Diurnal(random, day);
            var session = new SmtpSession(log, 45_000 + random.Next(1000), host, ip, $"mail.{domain}", start, attacker: true);
            session.Connect();
            var recipients = Enumerable.Range(0, random.Next(1, 4)).Select(_ => $"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}").Distinct().ToList();
            InboundMessage.Accept(session, random, estate, from, recipients, domain, 45_000 + random.Next(1000));
            campaigns.Add((start, session.Lines));
            truth.Add(new TruthRecord("spoofing", [ip], start, session.Now, [session.Relay], new Dictionary<string, object>
            {
                ["mail_from"] = from, ["look_alike"] = lookAlike, ["recipients"] = recipients,
            }));
        }

        return campaigns.OrderBy(c => c.Start).Select(c => c.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
