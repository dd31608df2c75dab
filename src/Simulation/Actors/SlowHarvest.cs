using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A low-and-slow directory harvest: the same dictionary spread over a whole network, each address
/// trying only a recipient or three at a random time of day, far below any per-address threshold.
/// Only aggregating the network shows it. Alternates, day by day, between an IPv4 /24 and an IPv6 /48.
/// </summary>
internal sealed class SlowHarvest(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private static readonly string[] Dictionary =
    [
        "admin", "info", "sales", "office", "contact", "support", "billing", "accounts", "jobs", "marketing", "webmaster",
        "help", "service", "team", "mail", "test", "user", "news", "finance", "orders", "shop", "press", "legal", "it",
    ];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var v6 = day.DayNumber % 2 == 1;
        var network = v6
            ? string.Create(CultureInfo.InvariantCulture, $"2001:db8:{0x5a00 + random.Next(0xff):x}::/48")
            : string.Create(CultureInfo.InvariantCulture, $"198.18.{random.Next(0, 255)}.0/24");
        var prefix = network[..network.LastIndexOf(v6 ? "::/" : ".0/", StringComparison.Ordinal)];
        var words = Dictionary.Concat(Estate.FirstNames).OrderBy(_ => random.Next()).ToList();
        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        var members = new SortedSet<string>(StringComparer.Ordinal);
        var index = 0;
        while (index < words.Count)
        {
            var ip = v6
                ? string.Create(CultureInfo.InvariantCulture, $"{prefix}:{random.Next(1, 0xffff):x}::{random.Next(2, 0xfff):x}")
                : string.Create(CultureInfo.InvariantCulture, $"{prefix}.{random.Next(1, 255)}");
            members.Add(ip);
            var start = SimRandom.Diurnal(random, day);
            var session = new SmtpSession(log, 50_000 + random.Next(5000), "unknown", ip, $"[{ip}]", start, attacker: true);
            session.Connect();
            for (var tries = 1 + random.Next(3); tries > 0 && index < words.Count; tries--)
            {
                var word = words[index++];
                session.Wait(0.5 + random.NextDouble()).RejectRcpt(string.Empty, $"{word}@{estate.Domain}", "550", "5.1.1",
                    $"<{word}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
            }

            session.Wait(0.2).Disconnect(withMessage: false);
            sessions.Add((start, session.Lines));
        }

        truth.Add(new TruthRecord("dha", [network], sessions.Min(s => s.Start), sessions.Max(s => s.Lines[^1].Time), log.Routing.RelaysOf(members), new Dictionary<string, object>
        {
            ["shape"] = v6 ? "slow_ipv6_48" : "slow_ipv4_24", ["attempts"] = words.Count, ["members"] = members.ToList(),
        }));
        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;

    /// <summary>The third octet of the 198.18.0.0/16 /24 the harvest uses on <paramref name="day"/>; null on its IPv6 days.</summary>
    public static int? Ipv4ThirdOctet(int seed, int actorIndex, DateOnly day) =>
        day.DayNumber % 2 == 1 ? null : SimRandom.For(seed, actorIndex, day).Next(0, 255);
}
