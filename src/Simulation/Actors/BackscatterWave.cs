using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A backscatter wave: a spam run elsewhere forged senders in our domain, and every receiver that
/// accepted it and bounced later sends its notice to the forged address. Tens to hundreds of other
/// organisations' mail servers — unrelated networks, now and then several of one provider in one /24,
/// each with proper reverse DNS and HELO — send a few null-sender bounces each, mostly to made-up
/// local parts (refused at RCPT as unknown users) and some to real users (accepted and delivered); a
/// few send an auto-reply or a challenge instead, with a sender of their own (<c>MAILER-DAEMON@</c>,
/// <c>postmaster@</c>, a vacation notice). The bounces peak a few hours after the run and tail off over
/// up to four days. A wave begins on the first day and on about half of the others.
/// Truth: the wave (kind <c>backscatter</c>, subject the domain it targets, which is what the
/// <c>wave</c> rule names) and each server (kind <c>bouncer</c>): innocent, never an attacker.
/// </summary>
internal sealed class BackscatterWave(Estate estate, SimLog log, AddressSpace addresses, DateOnly firstDay, int seed, int actorIndex) : IActor
{
    private const int TailDays = 4;

    private static readonly string[] Providers =
    [
        "mailhost", "mx-relay", "smtp-gw", "inbound", "mailfilter", "postoffice", "mx-cluster", "edge-mail", "mailguard", "mx-pool",
    ];

    private readonly Dictionary<DateOnly, WaveTally> waves = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var bounces = new List<(DateTimeOffset Start, DateOnly Wave, Server Server, int Index)>();
        for (var started = day.AddDays(-TailDays); started <= day; started = started.AddDays(1))
        {
            if (Plan(started) is not { } plan)
            {
                continue;
            }

            bounces.AddRange(plan.Bounces.Where(b => DateOnly.FromDateTime(b.Start.UtcDateTime) == day).Select(b => (b.Start, started, b.Server, b.Index)));
        }

        foreach (var (start, wave, server, index) in bounces.OrderBy(b => b.Start).ThenBy(b => b.Index))
        {
            yield return Bounce(wave, server, index, start);
        }
    }

    public IEnumerable<TruthRecord> Truth() => waves.OrderBy(w => w.Key).SelectMany(w =>
    {
        var (wave, tally) = (w.Key, w.Value);
        var campaign = string.Create(CultureInfo.InvariantCulture, $"wave-{wave:yyyyMMdd}");
        var servers = tally.Servers.Keys.Order(StringComparer.Ordinal).ToList();
        var peak = tally.ByHour.MaxBy(h => h.Value);
        var record = new TruthRecord("backscatter", [estate.Domain], tally.First, tally.Last, log.Routing.RelaysOf(servers), new Dictionary<string, object>
        {
            ["shape"] = "wave", ["campaign"] = campaign, ["innocent"] = true, ["spam_run"] = tally.SpamRun, ["servers"] = servers,
            ["bounces"] = tally.Bounces, ["refused"] = tally.Refused, ["auto_replies"] = tally.AutoReplies,
            ["real_targets"] = tally.RealTargets.Order(StringComparer.Ordinal).ToList(), ["made_up_targets"] = (long)tally.MadeUpTargets.Count,
            ["peak_hour"] = peak.Key, ["peak_hour_bounces"] = peak.Value,
        });
        var bouncers = servers.Select(ip => new TruthRecord("bouncer", [ip], tally.Servers[ip].First, tally.Servers[ip].Last, log.Routing.RelaysOf(ip), new Dictionary<string, object>
        {
            ["shape"] = "wave_server", ["campaign"] = campaign, ["innocent"] = true, ["host"] = tally.Hosts[ip], ["bounces"] = tally.Servers[ip].Bounces,
        }));
        return bouncers.Prepend(record);
    });

    /// <summary>The wave that began on <paramref name="started"/>, if one did: the same plan whichever day asks for it.</summary>
    private WavePlan? Plan(DateOnly started)
    {
        if (started < firstDay)
        {
            return null;
        }

        var random = SimRandom.For(seed, actorIndex, started);
        if (started != firstDay && random.NextDouble() >= 0.5)
        {
            return null;
        }

        var run = new DateTimeOffset(started.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(1 + (random.NextDouble() * 15));
        var serverCount = 30 + random.Next(171);
        var servers = new List<Server>();
        while (servers.Count < serverCount)
        {
            var provider = $"{SimRandom.Pick(random, Providers)}{random.Next(1, 999)}";
            var domain = $"{provider}.example";
            if (random.NextDouble() < 0.15)
            {
                // A provider's farm: several of its servers in one /24.
                var network = addresses.Ipv4Network(random, AddressSpace.Band.Bouncers);
                foreach (var n in Enumerable.Range(1, 3 + random.Next(6)))
                {
                    var ip = string.Create(CultureInfo.InvariantCulture, $"{network}.{random.Next(1, 255)}");
                    servers.Add(new Server(ip, string.Create(CultureInfo.InvariantCulture, $"mx{n}.{domain}"), domain));
                }

                continue;
            }

            var single = random.NextDouble() < 0.5 ? addresses.Ipv4(random, AddressSpace.Band.Bouncers) : AddressSpace.Ipv6(random, AddressSpace.Band.Bouncers);
            servers.Add(new Server(single, $"mail.{domain}", domain));
        }

        var bounces = new List<(DateTimeOffset Start, Server Server, int Index)>();
        foreach (var server in servers.DistinctBy(s => s.Ip))
        {
            for (var n = 1 + random.Next(4); n > 0; n--)
            {
                // Most receivers bounce within hours of the run; some retry for days before giving up.
                var hours = Math.Min(TailDays * 24 - 1, Math.Exp(0.8 + (1.1 * Normal(random))));
                bounces.Add((run.AddHours(0.2 + hours), server, bounces.Count));
            }
        }

        return new WavePlan(run, bounces);
    }

    private IReadOnlyList<SimLine> Bounce(DateOnly wave, Server server, int index, DateTimeOffset start)
    {
        var random = new Random(unchecked((int)StableHash.Of32(string.Create(CultureInfo.InvariantCulture, $"{seed} wave {wave.DayNumber} {index}"))));
        var tally = waves.TryGetValue(wave, out var known) ? known : waves[wave] = new WaveTally(Plan(wave)!.SpamRun);
        var pid = 47_000 + random.Next(3000);
        var session = new SmtpSession(log, pid, server.Host, server.Ip, server.Host, start);
        session.Connect();
        var real = random.NextDouble() < 0.25;
        var local = real ? SimRandom.Pick(random, estate.Users) : MadeUpLocalPart(random);
        var target = $"{local}@{estate.Domain}";
        // Most send a delivery status notification with the null sender; some an auto-reply or a challenge with a sender of their own.
        var from = random.NextDouble() < 0.85 ? string.Empty : random.Next(3) switch
        {
            0 => $"MAILER-DAEMON@{server.Domain}",
            1 => $"postmaster@{server.Domain}",
            _ => $"{SimRandom.Pick(random, Estate.FirstNames)}.{SimRandom.Pick(random, Estate.LastNames)}@{server.Domain}",
        };
        if (real)
        {
            InboundMessage.Accept(session, random, estate, from, [target], server.Domain, pid);
            tally.RealTargets.Add(target);
        }
        else
        {
            session.Wait(0.4).RejectRcpt(from, target, "550", "5.1.1", $"<{target}>: Recipient address rejected: User unknown in relay recipient table");
            session.Wait(0.2).Disconnect(withMessage: false);
            tally.Refused++;
            tally.MadeUpTargets.Add(target);
        }

        tally.Add(server, start, session.Now, autoReply: from.Length > 0);
        return session.Lines;
    }

    /// <summary>A forged local part the spammer made up: random letters and digits, a name with digits, or a word with digits.</summary>
    private static string MadeUpLocalPart(Random random) => random.Next(3) switch
    {
        0 => string.Concat(Enumerable.Range(0, 5 + random.Next(5)).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)])),
        1 => $"{SimRandom.Pick(random, Estate.FirstNames)[0]}{SimRandom.Pick(random, Estate.LastNames)}{random.Next(1, 99)}",
        _ => $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(100, 9999)}",
    };

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed record Server(string Ip, string Host, string Domain);

    private sealed record WavePlan(DateTimeOffset SpamRun, IReadOnlyList<(DateTimeOffset Start, Server Server, int Index)> Bounces);

    /// <summary>What a wave did, as far as the simulation got: for its truth record.</summary>
    private sealed class WaveTally(DateTimeOffset spamRun)
    {
        public DateTimeOffset SpamRun { get; } = spamRun;

        public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

        public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

        public long Bounces { get; private set; }

        public long Refused { get; set; }

        public long AutoReplies { get; private set; }

        public HashSet<string> RealTargets { get; } = new(StringComparer.Ordinal);

        public HashSet<string> MadeUpTargets { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, long Bounces)> Servers { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Hosts { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, long> ByHour { get; } = new(StringComparer.Ordinal);

        public void Add(Server server, DateTimeOffset start, DateTimeOffset end, bool autoReply)
        {
            (First, Last, Bounces, AutoReplies) = (start < First ? start : First, end > Last ? end : Last, Bounces + 1, AutoReplies + (autoReply ? 1 : 0));
            var known = Servers.TryGetValue(server.Ip, out var s) ? s : (start, end, 0L);
            Servers[server.Ip] = (known.Item1 < start ? known.Item1 : start, known.Item2 > end ? known.Item2 : end, known.Item3 + 1);
            Hosts[server.Ip] = server.Host;
            var hour = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);
            ByHour[hour] = ByHour.GetValueOrDefault(hour) + 1;
        }
    }
}
