using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A fast directory harvest from one address a day: dictionary words and permutations of common
/// names against our domain, a few of which are real mailboxes (accepted RCPTs, which Postfix does
/// not log: the truth lists them as exposed). To stay under Postfix's error limits (and its
/// tarpit), the harvester quits after 20 refusals, reconnects and carries on.
/// </summary>
internal sealed class DirectoryHarvest(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private const int ErrorsPerSession = 20;

    private static readonly string[] Dictionary =
    [
        "admin", "info", "sales", "office", "contact", "support", "billing", "accounts", "hr", "jobs", "marketing", "webmaster",
        "postmaster", "abuse", "noreply", "help", "service", "team", "mail", "test", "user", "guest", "root", "news",
    ];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var ip = string.Create(CultureInfo.InvariantCulture, $"203.0.113.{random.Next(1, 255)}");
        var host = string.Create(CultureInfo.InvariantCulture, $"dsl-{ip.Replace('.', '-')}.dyn.example.net");
        var helo = random.NextDouble() < 0.5 ? estate.Domain : $"[{ip}]";
        var candidates = Candidates(random);
        var exposed = candidates.Where(estate.IsUser).ToList();
        var start = SimRandom.Diurnal(random, day);
        var at = start;
        var pid = 30_000 + random.Next(1000);
        var sessions = new List<IReadOnlyList<SimLine>>();
        var index = 0;
        while (index < candidates.Count)
        {
            var session = new SmtpSession(log, pid++, host, ip, helo, at, attacker: true);
            session.Connect();
            while (index < candidates.Count && session.Errors < ErrorsPerSession)
            {
                var candidate = candidates[index++];
                session.Wait(0.3 + random.NextDouble());
                if (estate.IsUser(candidate))
                {
                    session.AcceptRcpt();
                    continue;
                }

                session.RejectRcpt(string.Empty, $"{candidate}@{estate.Domain}", "550", "5.1.1",
                    $"<{candidate}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
            }

            session.Wait(0.01).Disconnect(withMessage: false);
            sessions.Add(session.Lines);
            at = session.Now.AddSeconds(5 + random.Next(25));
        }

        truth.Add(new TruthRecord("dha", [ip], start, at, log.Routing.RelaysOf(ip), new Dictionary<string, object>
        {
            ["shape"] = "fast", ["attempts"] = candidates.Count, ["sessions"] = sessions.Count,
            ["exposed"] = exposed.Select(u => $"{u}@{estate.Domain}").ToList(),
        }));
        return sessions;
    }

    public IEnumerable<TruthRecord> Truth() => truth;

    /// <summary>Dictionary words, then name permutations (first, flast, first.last, f.last), shuffled a little.</summary>
    private static List<string> Candidates(Random random)
    {
        var list = new List<string>(Dictionary);
        foreach (var first in Estate.FirstNames.OrderBy(_ => random.Next()).Take(12))
        {
            var last = SimRandom.Pick(random, Estate.LastNames);
            list.AddRange([first, first[0] + last, $"{first}.{last}", $"{first[0]}.{last}"]);
        }

        return list;
    }
}
