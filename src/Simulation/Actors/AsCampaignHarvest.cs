using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A directory harvest spread over one autonomous system: servers rented from one provider
/// (<c>Rented Servers Example</c>, AS64507: eight /24s, 198.18.180–187.0/24, and the /48s of 2001:db8:a000::/40),
/// a fresh 8–14 of them on most days, each in a /24 or /48 of its own as far as the provider has them, each trying
/// 3–6 names of its own share of one list (<c>first.last</c> and <c>flast</c>, every name tried once in the
/// simulation while the list lasts) with a plausible sender, then leaving. No address tries enough for
/// <c>per_ip</c>, no network holds enough of them for <c>network</c>, no name is tried twice for
/// <c>shared_dictionary</c>: only the provider's AS, from the network context, ties them together. A name that
/// is a mailbox is accepted and the client quits before DATA.
/// Truth: one record a day (kind <c>dha</c>, shape <c>as_campaign</c>), that day's addresses its subjects,
/// <c>detail.asn</c> the provider's, <c>detail.exposed</c> the mailboxes it confirmed.
/// </summary>
internal sealed class AsCampaignHarvest : IActor
{
    /// <summary>The provider's AS, as <see cref="SimulatedNetworks"/> lists it.</summary>
    public const uint Asn = 64507;

    private readonly Estate estate;
    private readonly SimLog log;
    private readonly AddressSpace addresses;
    private readonly int seed;
    private readonly int actorIndex;
    private readonly List<string> names;
    private readonly List<TruthRecord> truth = [];
    private readonly HashSet<string> rented = new(StringComparer.Ordinal);
    private int nextName;

    public AsCampaignHarvest(Estate estate, SimLog log, AddressSpace addresses, int seed, int actorIndex)
    {
        (this.estate, this.log, this.addresses, this.seed, this.actorIndex) = (estate, log, addresses, seed, actorIndex);
        // One list for the whole campaign, shared out: each name is tried by one member, once.
        var random = new Random(unchecked((seed * 41) + actorIndex));
        names = [.. Estate.FirstNames
            .SelectMany(first => Estate.LastNames.SelectMany(last => new[] { $"{first}.{last}", $"{first[0]}{last}" }))
            .OrderBy(_ => random.Next())];
    }

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        if (random.NextDouble() >= 0.7)
        {
            return [];
        }

        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        var members = new SortedSet<string>(StringComparer.Ordinal);
        var exposed = new SortedSet<string>(StringComparer.Ordinal);
        var attempts = 0L;
        for (var count = 8 + random.Next(7); members.Count < count;)
        {
            var ip = random.NextDouble() < 0.5 ? addresses.Ipv4(random, AddressSpace.Band.RentedServers) : AddressSpace.Ipv6(random, AddressSpace.Band.RentedServers);
            // A server is rented for one day: tomorrow's are others.
            if (!rented.Add(ip) || !members.Add(ip))
            {
                continue;
            }

            var host = string.Create(CultureInfo.InvariantCulture, $"vps{StableHash.Of32(ip) % 100_000}.rented-servers.example");
            var start = SimRandom.Diurnal(random, day);
            var session = new SmtpSession(log, 56_000 + random.Next(3000), host, ip, host, start, attacker: true);
            session.Connect();
            var from = string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(10, 99)}@freemail-{random.Next(1, 9)}.example");
            for (var guesses = 3 + random.Next(4); guesses > 0; guesses--)
            {
                var guess = names[nextName++ % names.Count];
                attempts++;
                if (session.Wait(0.6 + random.NextDouble()).Guess(estate, from, guess) is { } mailbox)
                {
                    exposed.Add(mailbox);
                }
            }

            session.Wait(0.2).Disconnect(withMessage: false);
            sessions.Add((start, session.Lines));
        }

        truth.Add(new TruthRecord("dha", [.. members], sessions.Min(s => s.Start), sessions.Max(s => s.Lines[^1].Time), log.Routing.RelaysOf(members), new Dictionary<string, object>
        {
            ["shape"] = "as_campaign", ["campaign"] = "as-campaign-harvest", ["asn"] = Asn, ["attempts"] = attempts, ["exposed"] = exposed.ToList(),
        }));
        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
