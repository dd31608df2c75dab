using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Our users who send from home: each logs in on the submission port (its login is its local part)
/// from its home connection and sends a few messages on the days it works, to colleagues and to people
/// outside, each on 30–90 % of working days (a quarter as often at weekends) — the one whose password is
/// stolen on every working day, so that it has a history to break from. On one day (the first of the
/// simulation's last quarter, which <c>relaywatch evaluate</c> scores by default; the last day of a short one) its stolen password is used from three to eight addresses in networks it
/// never used, to send spam to 150–500 people at many domains outside, as the user — and the next day
/// too, one time in three. Truth: each home address is <c>legitimate</c> (<c>detail.sender</c>
/// <c>remote_user</c>); the stolen account is <c>compromised_account</c> with the login as its subject
/// (what the detector names), one record a day, <c>detail.client_ips</c> the addresses it was used from.
/// </summary>
internal sealed class RemoteUsers : IActor
{
    private static readonly string[] ForeignDomains =
    [
        "bigmail.example", "inbox.example.org", "post.example.net", "mailbox.example.com", "webpost.example", "cloudmail.example",
        "freemail-1.example", "freemail-2.example", "isp-mail.example", "telco-mail.example", "mymail.example", "homepost.example",
    ];

    private readonly Estate estate;
    private readonly SimLog log;
    private readonly int seed;
    private readonly int actorIndex;
    private readonly List<(string User, string Ip, string Host, double Activity)> users = [];
    private readonly HashSet<DateOnly> compromisedDays = [];
    private readonly AddressSpace addresses;
    private readonly Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, long Messages)> seen = new(StringComparer.Ordinal);
    private readonly List<TruthRecord> truth = [];

    /// <param name="firstDay">The first day whose truth is written (after any warm-up): the theft falls in the days evaluated.</param>
    /// <param name="days">Days from <paramref name="firstDay"/>.</param>
    public RemoteUsers(Estate estate, SimLog log, AddressSpace addresses, DateOnly firstDay, int days, int seed, int actorIndex)
    {
        (this.estate, this.log, this.addresses, this.seed, this.actorIndex) = (estate, log, addresses, seed, actorIndex);
        var random = new Random(unchecked((seed * 41) + actorIndex));
        foreach (var user in estate.Users.OrderBy(_ => random.Next()).Take(10).Order(StringComparer.Ordinal))
        {
            var ip = random.NextDouble() < 0.7 ? addresses.Ipv4(random, AddressSpace.Band.Homes) : AddressSpace.Ipv6(random, AddressSpace.Band.Homes);
            var host = ip.Contains(':', StringComparison.Ordinal) ? "unknown" : $"cpe-{ip.Replace('.', '-')}.home-isp.example";
            users.Add((user, ip, host, 0.3 + (0.6 * random.NextDouble())));
        }

        // The stolen account is one with a history to break from: a user who sends from home every working day.
        var victim = random.Next(users.Count);
        users[victim] = users[victim] with { Activity = 1.0 };
        Victim = users[victim].User;
        // The first day evaluate scores by default (its model learns from all but the last quarter), so that the
        // model is measured on the stolen account's clients; the last day of a simulation shorter than three days.
        var day = firstDay.AddDays(days >= 3 ? days - Math.Max(1, days / 4) : days - 1);
        compromisedDays.Add(day);
        if (random.NextDouble() < 1.0 / 3 && day < firstDay.AddDays(days - 1))
        {
            compromisedDays.Add(day.AddDays(1));
        }
    }

    /// <summary>The login whose password is stolen.</summary>
    public string Victim { get; }

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var plan = new List<(DateTimeOffset Start, int Order, Func<DateTimeOffset, IReadOnlyList<SimLine>> Session)>();
        foreach (var user in users)
        {
            if (random.NextDouble() < user.Activity * (weekend ? 0.25 : 1.0))
            {
                for (var n = 1 + random.Next(4); n > 0; n--)
                {
                    plan.Add((SimRandom.Diurnal(random, day), plan.Count, at => Ordinary(random, user, at)));
                }
            }
        }

        if (compromisedDays.Contains(day))
        {
            var addressesUsed = Enumerable.Range(0, 3 + random.Next(6))
                .Select(_ => random.NextDouble() < 0.6 ? addresses.Ipv4(random, AddressSpace.Band.Hijackers) : AddressSpace.Ipv6(random, AddressSpace.Band.Hijackers))
                .Distinct(StringComparer.Ordinal).ToList();
            // The bought list, drawn at once so the truth can say exactly whom it reached; sent in batches.
            var list = Enumerable.Range(0, 150 + random.Next(351))
                .Select(_ => string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(1, 9999)}@{SpamDomain(random)}"))
                .Distinct(StringComparer.Ordinal).ToList();
            var start = SimRandom.Diurnal(random, day);
            var firstSpam = start;
            var clients = new List<string>();
            for (var sent = 0; sent < list.Count;)
            {
                var batch = list.Skip(sent).Take(10 + random.Next(31)).ToList();
                var client = sent == 0 ? addressesUsed[0] : SimRandom.Pick(random, addressesUsed);
                clients.Add(client);
                plan.Add((start, plan.Count, at => Spam(random, client, batch, at)));
                sent += batch.Count;
                start = start.AddSeconds(20 + random.Next(200));
            }

            truth.Add(new TruthRecord("compromised_account", [Victim], firstSpam, start, [], new Dictionary<string, object>
            {
                ["shape"] = "compromised_account", ["sasl_user"] = Victim, ["client_ips"] = clients.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), ["recipients"] = (long)list.Count,
                ["recipient_domains"] = (long)list.Select(r => r[(r.IndexOf('@', StringComparison.Ordinal) + 1)..]).Distinct(StringComparer.Ordinal).Count(),
            }));
        }

        foreach (var (start, _, session) in plan.OrderBy(p => p.Start).ThenBy(p => p.Order))
        {
            yield return session(start);
        }
    }

    public IEnumerable<TruthRecord> Truth() =>
        users.Where(u => seen.ContainsKey(u.Ip)).Select(u => new TruthRecord("legitimate", [u.Ip], seen[u.Ip].First, seen[u.Ip].Last, log.Routing.RelaysOf(u.Ip), new Dictionary<string, object>
        {
            ["sender"] = "remote_user", ["host"] = u.Host, ["sasl_user"] = u.User, ["messages"] = seen[u.Ip].Messages, ["mistyped_recipients"] = 0L,
        })).Concat(truth.Select(t => t with { Relays = log.Routing.RelaysOf(((List<string>)t.Detail["client_ips"]).AsEnumerable()) }));

    private IReadOnlyList<SimLine> Ordinary(Random random, (string User, string Ip, string Host, double Activity) user, DateTimeOffset start)
    {
        var pid = 31_000 + random.Next(3000);
        var session = new SmtpSession(log, pid, user.Host, user.Ip, user.Host == "unknown" ? "[" + user.Ip + "]" : "homepc", start, "postfix/submission/smtpd");
        session.Connect();
        var from = $"{user.User}@{estate.Domain}";
        if (random.NextDouble() < 0.5)
        {
            InboundMessage.Accept(session, random, estate, from, [$"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"], estate.Domain, pid, saslUser: user.User);
        }
        else
        {
            var to = string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(1, 99)}@{SimRandom.Pick(random, ForeignDomains)}");
            InboundMessage.Accept(session, random, estate, from, [to], estate.Domain, pid, saslUser: user.User, hopOf: HopOf);
        }

        var known = seen.TryGetValue(user.Ip, out var s) ? s : (start, start, 0L);
        seen[user.Ip] = (known.Item1, session.Now, known.Item3 + 1);
        return session.Lines;
    }

    private IReadOnlyList<SimLine> Spam(Random random, string client, IReadOnlyList<string> recipients, DateTimeOffset start)
    {
        var pid = 34_000 + random.Next(3000);
        var session = new SmtpSession(log, pid, "unknown", client, client.Contains(':', StringComparison.Ordinal) ? "[IPv6:" + client + "]" : "[" + client + "]", start, "postfix/submission/smtpd");
        session.Connect();
        InboundMessage.Accept(session, random, estate, $"{Victim}@{estate.Domain}", recipients, estate.Domain, pid, saslUser: Victim, hopOf: HopOf);
        return session.Lines;
    }

    /// <summary>A bought list's domain: mostly the big providers, the rest small organisations of every kind.</summary>
    private static string SpamDomain(Random random) => random.NextDouble() < 0.7
        ? SimRandom.Pick(random, ForeignDomains)
        : string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.LastNames)}-{random.Next(1, 500)}.example");

    /// <summary>The big providers' MX hosts, one per outside domain.</summary>
    private static string HopOf(string recipient)
    {
        var domain = recipient[(recipient.IndexOf('@', StringComparison.Ordinal) + 1)..];
        var n = 1 + (StableHash.Of32(domain) % 50);
        return string.Create(CultureInfo.InvariantCulture, $"mx.{domain}[192.0.2.{100 + (n % 4)}]:25");
    }
}
