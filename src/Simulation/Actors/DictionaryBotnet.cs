using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A directory harvest farmed out to a botnet: 20–30 bots in unrelated networks (each in a /48 of
/// its own), each trying two to four recipients from one shared dictionary, once. No address and no
/// network stands out; only the dictionary the bots share ties them together.
/// </summary>
internal sealed class DictionaryBotnet(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private static readonly string[] Dictionary =
    [
        "abuse", "accounting", "admin", "administrator", "billing", "booking", "ceo", "contact", "customerservice", "design",
        "director", "enquiries", "events", "feedback", "hello", "helpdesk", "hostmaster", "hr", "info", "invoices", "jobs",
        "mail", "manager", "marketing", "media", "noc", "office", "operations", "payroll", "postmaster", "purchasing",
        "reception", "recruitment", "sales", "security", "service", "shipping", "staff", "support", "sysadmin", "tech",
        "training", "webmaster", "welcome",
    ];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var bots = 20 + random.Next(11);
        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        var members = new SortedSet<string>(StringComparer.Ordinal);
        var networks = new HashSet<int>();
        var attempts = 0L;
        while (members.Count < bots)
        {
            var network = 0xd000 + random.Next(0x1000);
            if (!networks.Add(network))
            {
                continue;
            }

            var ip = string.Create(CultureInfo.InvariantCulture, $"2001:db8:{network:x}:{random.Next(1, 0xffff):x}::{random.Next(2, 0xfff):x}");
            members.Add(ip);
            var start = SimRandom.Diurnal(random, day);
            var session = new SmtpSession(log, 52_000 + random.Next(5000), "unknown", ip, SimRandom.Pick(random, Dictionary) + random.Next(100, 999).ToString(CultureInfo.InvariantCulture), start, attacker: true);
            session.Connect();
            foreach (var word in Enumerable.Range(0, 2 + random.Next(3)).Select(_ => SimRandom.Pick(random, Dictionary)).Distinct())
            {
                attempts++;
                session.Wait(0.5 + random.NextDouble()).RejectRcpt(string.Empty, $"{word}@{estate.Domain}", "550", "5.1.1",
                    $"<{word}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
            }

            session.Wait(0.2).Disconnect(withMessage: false);
            sessions.Add((start, session.Lines));
        }

        truth.Add(new TruthRecord("dha", [.. members], sessions.Min(s => s.Start), sessions.Max(s => s.Lines[^1].Time), log.Routing.RelaysOf(members), new Dictionary<string, object>
        {
            ["shape"] = "botnet_dictionary", ["attempts"] = attempts, ["dictionary_size"] = (long)Dictionary.Length,
        }));
        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
