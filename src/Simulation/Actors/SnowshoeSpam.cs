using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Snowshoe spam: a campaign spread thin over many clean addresses in unrelated networks, so that no
/// address sends enough to stand out. Each address has reverse DNS and a HELO that match, made from one
/// naming template (<c>mail7.brightdeals42.example</c>), and sends one or two messages of one shape (one
/// recipient, about the same size) from one sender pattern (<c>offers@…deals….example</c>) to our real
/// users, whose addresses it bought; all the addresses appear within the same half hour. It is
/// accepted and delivered: nothing is refused. A campaign runs on the first day and on two days in three.
/// Truth: one record per campaign (kind and shape <c>snowshoe</c>), every address a subject, with the
/// campaign id, the template and the sender pattern.
/// </summary>
internal sealed class SnowshoeSpam(Estate estate, SimLog log, AddressSpace addresses, DateOnly firstDay, int seed, int actorIndex) : IActor
{
    private static readonly string[] Words = ["bright", "prime", "smart", "daily", "super", "mega", "top", "best", "fresh", "gold"];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        if (day != firstDay && random.NextDouble() >= 2.0 / 3)
        {
            return [];
        }

        var word = SimRandom.Pick(random, Words);
        var campaign = string.Create(CultureInfo.InvariantCulture, $"snowshoe-{day:yyyyMMdd}");
        var launch = SimRandom.Diurnal(random, day);
        var size = 9_000 + random.Next(20_000);
        var members = new SortedSet<string>(StringComparer.Ordinal);
        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        var messages = 0L;
        for (var count = 40 + random.Next(81); members.Count < count;)
        {
            var ip = random.NextDouble() < 0.6 ? addresses.Ipv4(random, AddressSpace.Band.Snowshoe) : AddressSpace.Ipv6(random, AddressSpace.Band.Snowshoe);
            if (!members.Add(ip))
            {
                continue;
            }

            var domain = string.Create(CultureInfo.InvariantCulture, $"{word}deals{random.Next(10, 999)}.example");
            var host = string.Create(CultureInfo.InvariantCulture, $"mail{random.Next(1, 20)}.{domain}");
            var at = launch.AddMinutes(random.NextDouble() * 30);
            for (var n = 1 + random.Next(2); n > 0; n--)
            {
                var pid = 56_000 + random.Next(4000);
                var session = new SmtpSession(log, pid, host, ip, host, at, attacker: true) { Tls = true };
                session.Connect();
                InboundMessage.Accept(session, random, estate, $"offers@{domain}", [$"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"], domain, pid, size: size + random.Next(400));
                sessions.Add((at, session.Lines));
                messages++;
                at = session.Now.AddMinutes(5 + (random.NextDouble() * 40));
            }
        }

        truth.Add(new TruthRecord("snowshoe", [.. members], sessions.Min(s => s.Start), sessions.Max(s => s.Lines[^1].Time), log.Routing.RelaysOf(members), new Dictionary<string, object>
        {
            ["shape"] = "snowshoe", ["campaign"] = campaign, ["host_template"] = $"mailN.{word}dealsNNN.example", ["sender_pattern"] = $"offers@{word}dealsNNN.example",
            ["messages"] = messages, ["message_size"] = (long)size,
        }));
        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
