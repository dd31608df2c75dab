using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A very slow directory harvest: a pool of 40–80 addresses, each in a network of its own, that over
/// the whole simulation guess our users' addresses from names (<c>first.last</c>, <c>flast</c>, <c>first</c>)
/// at one or two guesses per address per day, about half the pool on any day — with a plausible
/// sender of its own, not the null sender. A guess that hits a mailbox is accepted and the client
/// quits before DATA. No address and no network stands out on any day.
/// Truth: one record a day (kind <c>dha</c>, shape <c>very_slow</c>), that day's addresses its subjects,
/// <c>detail.exposed</c> the mailboxes it confirmed.
/// </summary>
internal sealed class VerySlowHarvest : IActor
{
    private readonly Estate estate;
    private readonly SimLog log;
    private readonly int seed;
    private readonly int actorIndex;
    private readonly List<(string Ip, string Host, string Helo)> pool = [];
    private readonly List<TruthRecord> truth = [];

    public VerySlowHarvest(Estate estate, SimLog log, AddressSpace addresses, int seed, int actorIndex)
    {
        (this.estate, this.log, this.seed, this.actorIndex) = (estate, log, seed, actorIndex);
        var random = new Random(unchecked((seed * 37) + actorIndex));
        var ips = new HashSet<string>(StringComparer.Ordinal);
        for (var count = 40 + random.Next(41); ips.Count < count;)
        {
            var ip = random.NextDouble() < 0.5 ? addresses.Ipv4(random, AddressSpace.Band.SlowHarvesters) : AddressSpace.Ipv6(random, AddressSpace.Band.SlowHarvesters);
            if (ips.Add(ip))
            {
                var host = random.NextDouble() < 0.5 ? "unknown" : string.Create(CultureInfo.InvariantCulture, $"host-{StableHash.Of32(ip) % 100_000}.broadband.example");
                pool.Add((ip, host, host == "unknown" ? $"[{ip}]" : host));
            }
        }
    }

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        var active = new SortedSet<string>(StringComparer.Ordinal);
        var exposed = new SortedSet<string>(StringComparer.Ordinal);
        var attempts = 0L;
        foreach (var (ip, host, helo) in pool.Where(_ => random.NextDouble() < 0.5).ToList())
        {
            active.Add(ip);
            var start = SimRandom.Diurnal(random, day);
            var session = new SmtpSession(log, 53_000 + random.Next(3000), host, ip, helo, start, attacker: true);
            session.Connect();
            var from = string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(10, 99)}@freemail-{random.Next(1, 9)}.example");
            for (var guesses = 1 + random.Next(2); guesses > 0; guesses--)
            {
                var (first, last) = (SimRandom.Pick(random, Estate.FirstNames), SimRandom.Pick(random, Estate.LastNames));
                var guess = random.Next(3) switch { 0 => $"{first}.{last}", 1 => $"{first[0]}{last}", _ => first };
                attempts++;
                if (session.Wait(0.6 + random.NextDouble()).Guess(estate, from, guess) is { } mailbox)
                {
                    exposed.Add(mailbox);
                }
            }

            session.Wait(0.2).Disconnect(withMessage: false);
            sessions.Add((start, session.Lines));
        }

        if (sessions.Count > 0)
        {
            truth.Add(new TruthRecord("dha", [.. active], sessions.Min(s => s.Start), sessions.Max(s => s.Lines[^1].Time), log.Routing.RelaysOf(active), new Dictionary<string, object>
            {
                ["shape"] = "very_slow", ["campaign"] = "very-slow-harvest", ["attempts"] = attempts, ["exposed"] = exposed.ToList(),
            }));
        }

        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
