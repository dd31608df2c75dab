using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Legitimate senders that look bad, each a truth record of kind <c>legitimate</c> per address, its
/// <c>detail.sender</c> saying which:
/// <list type="bullet">
/// <item><c>stale_list_newsletter</c>: a mailing provider's pool (one /24) sends a newsletter on weekdays
/// to a list that has gone stale — a burst of 60–200 recipients, 15–45 % of them people who left long ago,
/// refused as unknown (<c>detail.stale_recipients</c>);</item>
/// <item><c>misconfigured_partner</c>: partners whose servers have no reverse DNS and an odd HELO
/// (<c>localhost.localdomain</c>, an internal name, an address literal), sending ordinary business mail;</item>
/// <item><c>saas_as_our_domain</c>: platforms that send as our domain without logging in (staff announcements,
/// event invitations through a marketing service the domain's SPF record names);</item>
/// <item><c>forwarder</c>: an alumni forwarding service passing on mail from anyone, sometimes with an SRS
/// sender, sometimes with the original sender kept — one of ours, when a colleague wrote to the list — and
/// now and then to a forwarding target of ours that no longer exists;</item>
/// <item><c>webmail_pool</c>: a webmail provider whose outbound pool puts many unrelated users in one /24,
/// each address sending a few messages, with everyone's typos.</item>
/// </list>
/// </summary>
internal sealed class MessySenders(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private const double TypoRate = 0.03;

    private static readonly (string Host, string Ip, string Helo)[] Partners =
    [
        ("unknown", AddressSpace.Pool(191, 25), "localhost.localdomain"),
        ("unknown", AddressSpace.Pool(192, 10), "EXCH01.corp.local"),
        ("unknown", AddressSpace.Pool(193, 77), $"[{AddressSpace.Pool(193, 77)}]"),
    ];

    private static readonly (string Host, string Ip)[] Saas =
    [
        ("mta1.crm-cloud.example", AddressSpace.Pool(194, 11)), ("mta2.crm-cloud.example", AddressSpace.Pool(194, 12)),
        ("out.events-platform.example", "2001:db8:9200::25"),
    ];

    private static readonly (string Host, string Ip)[] Forwarders =
    [
        ("fwd1.alumni-mail.example", AddressSpace.Pool(195, 5)), ("fwd2.alumni-mail.example", "2001:db8:9201::5"),
    ];

    private static readonly string[] OutsideDomains = ["inbox.example.org", "post.example.net", "mailbox.example.com", "uni-alumni.example", "club.example.org"];

    private readonly Dictionary<string, Seen> seen = new(StringComparer.Ordinal);

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var plan = new List<(DateTimeOffset Start, int Order, Func<DateTimeOffset, IReadOnlyList<SimLine>> Session)>();
        void Add(DateTimeOffset start, Func<DateTimeOffset, IReadOnlyList<SimLine>> session) => plan.Add((start, plan.Count, session));

        if (!weekend)
        {
            // The newsletter: one burst from the pool, recipients in batches of up to five a session.
            var burst = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(9 + random.Next(4));
            var staleShare = 0.15 + (0.3 * random.NextDouble());
            var list = Enumerable.Range(0, 60 + random.Next(141)).Select(_ => random.NextDouble() < staleShare ? StaleAddress(random) : SimRandom.Pick(random, estate.Users)).Distinct().ToList();
            var campaign = random.Next(10_000, 99_999);
            for (var i = 0; i < list.Count; i += 5)
            {
                var batch = list.Skip(i).Take(5).ToList();
                var pool = 1 + random.Next(8);
                Add(burst.AddSeconds(i * 1.5), at => Newsletter(random, pool, campaign, batch, at));
            }

            foreach (var partner in Partners)
            {
                for (var n = 3 + random.Next(10); n > 0; n--)
                {
                    Add(SimRandom.Diurnal(random, day), at => Partner(random, partner, at));
                }
            }

            for (var n = 5 + random.Next(25); n > 0; n--)
            {
                var saas = SimRandom.Pick(random, Saas);
                Add(SimRandom.Diurnal(random, day), at => SendsAsUs(random, saas, at));
            }
        }

        for (var n = 10 + random.Next(30); n > 0; n--)
        {
            var forwarder = SimRandom.Pick(random, Forwarders);
            Add(SimRandom.Diurnal(random, day), at => Forwarded(random, forwarder, at));
        }

        for (var n = (weekend ? 40 : 120) + random.Next(60); n > 0; n--)
        {
            var member = 1 + random.Next(60);
            Add(SimRandom.Diurnal(random, day), at => Webmail(random, member, at));
        }

        foreach (var (start, _, session) in plan.OrderBy(p => p.Start).ThenBy(p => p.Order))
        {
            yield return session(start);
        }
    }

    public IEnumerable<TruthRecord> Truth() => seen.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new TruthRecord(
        "legitimate", [s.Key], s.Value.First, s.Value.Last, log.Routing.RelaysOf(s.Key), new Dictionary<string, object>
        {
            ["sender"] = s.Value.Kind, ["host"] = s.Value.Host, ["messages"] = s.Value.Messages, ["mistyped_recipients"] = s.Value.Typos,
            ["stale_recipients"] = s.Value.Stale,
        }));

    /// <summary>Somebody who left years ago: a name that is not a mailbox (any more).</summary>
    private string StaleAddress(Random random)
    {
        while (true)
        {
            var name = $"{SimRandom.Pick(random, Estate.FirstNames)}.{SimRandom.Pick(random, Estate.LastNames)}";
            if (!estate.IsUser(name))
            {
                return name;
            }
        }
    }

    private IReadOnlyList<SimLine> Newsletter(Random random, int pool, int campaign, IReadOnlyList<string> batch, DateTimeOffset start)
    {
        var host = string.Create(CultureInfo.InvariantCulture, $"o{pool}.esp-mailer.example");
        var ip = AddressSpace.Pool(190, 20 + pool);
        var from = string.Create(CultureInfo.InvariantCulture, $"bounce-{campaign}-{random.Next(100_000, 999_999)}@esp-mailer.example");
        var pid = 61_000 + random.Next(3000);
        var session = new SmtpSession(log, pid, host, ip, host, start);
        session.Connect();
        var stale = 0;
        foreach (var local in batch.Where(l => !estate.IsUser(l)))
        {
            stale++;
            session.Wait(0.1).RejectRcpt(from, $"{local}@{estate.Domain}", "550", "5.1.1",
                $"<{local}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
        }

        var known = batch.Where(estate.IsUser).Select(l => $"{l}@{estate.Domain}").ToList();
        if (known.Count > 0)
        {
            InboundMessage.Accept(session, random, estate, from, known, "esp-mailer.example", pid, size: 38_000 + random.Next(2_000));
        }
        else
        {
            session.Wait(0.1).Disconnect(withMessage: false);
        }

        Remember(ip, "stale_list_newsletter", host, start, session.Now, known.Count > 0 ? 1 : 0, 0, stale);
        return session.Lines;
    }

    private IReadOnlyList<SimLine> Partner(Random random, (string Host, string Ip, string Helo) partner, DateTimeOffset start)
    {
        var pid = 62_000 + random.Next(3000);
        var session = new SmtpSession(log, pid, partner.Host, partner.Ip, partner.Helo, start) { Tls = false };
        session.Connect();
        var domain = string.Create(CultureInfo.InvariantCulture, $"partner-{partner.Ip.Split('.')[2]}.example");
        var from = $"{SimRandom.Pick(random, Estate.FirstNames)}@{domain}";
        var typo = Typo(random, session, from);
        InboundMessage.Accept(session, random, estate, from, [$"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"], domain, pid);
        Remember(partner.Ip, "misconfigured_partner", partner.Host, start, session.Now, 1, typo, 0);
        return session.Lines;
    }

    private IReadOnlyList<SimLine> SendsAsUs(Random random, (string Host, string Ip) saas, DateTimeOffset start)
    {
        var pid = 63_000 + random.Next(3000);
        var session = new SmtpSession(log, pid, saas.Host, saas.Ip, saas.Host, start);
        session.Connect();
        var from = $"{SimRandom.Pick(random, new[] { "announcements", "events", "hr-news", "newsletter" })}@{estate.Domain}";
        var recipients = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => $"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}").Distinct().ToList();
        // Our domain's SPF record names the platform: the relay's policy service says so where it runs one.
        session.Wait(0.3).Spf("Pass", from, recipients[0]);
        InboundMessage.Accept(session, random, estate, from, recipients, saas.Host[(saas.Host.IndexOf('.', StringComparison.Ordinal) + 1)..], pid);
        Remember(saas.Ip, "saas_as_our_domain", saas.Host, start, session.Now, 1, 0, 0);
        return session.Lines;
    }

    private IReadOnlyList<SimLine> Forwarded(Random random, (string Host, string Ip) forwarder, DateTimeOffset start)
    {
        var pid = 64_000 + random.Next(1000);
        var session = new SmtpSession(log, pid, forwarder.Host, forwarder.Ip, forwarder.Host, start);
        session.Connect();
        var author = $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(1, 99)}";
        var roll = random.NextDouble();
        var from = roll < 0.4 ? $"SRS0={random.Next(0x1000, 0xffff):x}={(char)('A' + random.Next(26))}{(char)('A' + random.Next(26))}={SimRandom.Pick(random, OutsideDomains)}={author}@alumni-mail.example"
            : roll < 0.5 ? $"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"
            : $"{author}@{SimRandom.Pick(random, OutsideDomains)}";
        var stale = 0;
        if (random.NextDouble() < 0.05)
        {
            // An alumnus whose forwarding still points at a mailbox of ours that is gone.
            var gone = StaleAddress(random);
            stale = 1;
            session.Wait(0.2).RejectRcpt(from, $"{gone}@{estate.Domain}", "550", "5.1.1",
                $"<{gone}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
            session.Wait(0.1).Disconnect(withMessage: false);
        }
        else
        {
            InboundMessage.Accept(session, random, estate, from, [$"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"], "alumni-mail.example", pid);
        }

        Remember(forwarder.Ip, "forwarder", forwarder.Host, start, session.Now, 1 - stale, 0, stale);
        return session.Lines;
    }

    private IReadOnlyList<SimLine> Webmail(Random random, int member, DateTimeOffset start)
    {
        var host = string.Create(CultureInfo.InvariantCulture, $"out{member:00}.webmail-pool.example");
        var ip = AddressSpace.Pool(196, 10 + member);
        var pid = 65_000 + random.Next(1000);
        var session = new SmtpSession(log, pid, host, ip, host, start);
        session.Connect();
        var from = string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}.{SimRandom.Pick(random, Estate.LastNames)}{random.Next(1, 999)}@webmail-pool.example");
        var typo = Typo(random, session, from);
        InboundMessage.Accept(session, random, estate, from, [$"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"], "webmail-pool.example", pid);
        Remember(ip, "webmail_pool", host, start, session.Now, 1, typo, 0);
        return session.Lines;
    }

    /// <summary>Now and then the sender mistypes a recipient first (one unknown user before the right one).</summary>
    private int Typo(Random random, SmtpSession session, string from)
    {
        if (random.NextDouble() >= TypoRate)
        {
            return 0;
        }

        var user = SimRandom.Pick(random, estate.Users);
        var misspelt = user.Remove(random.Next(1, user.Length - 1), 1);
        session.Wait(0.2).RejectRcpt(from, $"{misspelt}@{estate.Domain}", "550", "5.1.1",
            $"<{misspelt}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
        return 1;
    }

    private void Remember(string ip, string kind, string host, DateTimeOffset start, DateTimeOffset end, long messages, long typos, long stale)
    {
        var known = seen.TryGetValue(ip, out var s) ? s : new Seen(kind, host, start, end, 0, 0, 0);
        seen[ip] = known with
        {
            First = known.First < start ? known.First : start, Last = known.Last > end ? known.Last : end,
            Messages = known.Messages + messages, Typos = known.Typos + typos, Stale = known.Stale + stale,
        };
    }

    private sealed record Seen(string Kind, string Host, DateTimeOffset First, DateTimeOffset Last, long Messages, long Typos, long Stale);
}
