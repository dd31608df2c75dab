using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Open-relay testers: a telnet-style session (<c>HELO fake.domain</c>, <c>MAIL FROM bogus@fake.domain</c>)
/// that tries the classic relay tricks against our domain — the <c>%</c>-hack, a quoted local part,
/// a source route, and a plain foreign recipient — each refused with "Relay access denied".
/// </summary>
internal sealed class RelayProbe(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private const string Foreign = "elsewhere.example";

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        for (var probe = 0; probe < 1 + random.Next(2); probe++)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{random.Next(150, 250)}");
            var helo = random.NextDouble() < 0.5 ? "fake.domain" : $"[{ip}]";
            var variants = new (string Name, string Recipient)[]
            {
                ("percent_hack", $"user%{Foreign}@{estate.Domain}"),
                ("quoted", $"\"user@{Foreign}\"@{estate.Domain}"),
                ("source_route", $"@{estate.Domain}:user@{Foreign}"),
                ("foreign_domain", $"relaytest@{Foreign}"),
            };
            var start = SimRandom.Diurnal(random, day);
            var session = new SmtpSession(log, 40_000 + random.Next(1000), "unknown", ip, helo, start, attacker: true);
            session.Connect();
            foreach (var (_, recipient) in variants)
            {
                session.Wait(1 + random.NextDouble()).RejectRcpt("bogus@fake.domain", recipient, "554", "5.7.1", $"<{recipient}>: Relay access denied");
            }

            session.Wait(0.5).Disconnect(withMessage: false);
            sessions.Add((start, session.Lines));
            truth.Add(new TruthRecord("relay_probe", [ip], start, session.Now, [session.Relay], new Dictionary<string, object>
            {
                ["helo"] = helo, ["variants"] = variants.Select(v => v.Name).ToList(),
            }));
        }

        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
