using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Legitimate inbound mail: big providers with many outbound addresses (IPv4 and IPv6), newsletters
/// and partners, with stable HELO and reverse DNS, delivered to Domino. Volume follows a diurnal
/// curve, is lower at weekends and grows slowly over the days. Now and then a sender mistypes a
/// recipient (one unknown user in an otherwise good message): that must never look like a harvest.
/// </summary>
internal sealed class NormalTraffic : IActor
{
    /// <summary>Sessions on a weekday at scale 1: about a million log lines.</summary>
    private const int SessionsPerDayAtScaleOne = 135_000;
    private const double TypoRate = 0.02;

    private readonly Estate estate;
    private readonly SimLog log;
    private readonly double scale;
    private readonly int seed;
    private readonly int actorIndex;
    private readonly List<Sender> senders = [];
    private readonly Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, long Messages, long Typos)> seen = [];
    private int nextPid = 10_000;

    public NormalTraffic(Estate estate, SimLog log, double scale, int seed, int actorIndex)
    {
        (this.estate, this.log, this.scale, this.seed, this.actorIndex) = (estate, log, scale, seed, actorIndex);
        for (var i = 1; i <= 60; i++)
        {
            senders.Add(new Sender($"mail-out{i}.bigmail.example", string.Create(CultureInfo.InvariantCulture, $"192.0.2.{i}"), "provider", 6));
        }

        for (var i = 1; i <= 20; i++)
        {
            senders.Add(new Sender($"o{i}.mx.bigmail.example", string.Create(CultureInfo.InvariantCulture, $"2001:db8:1::{i:x}"), "provider", 6));
        }

        for (var i = 1; i <= 10; i++)
        {
            senders.Add(new Sender($"news{i}.bulkmail.example", string.Create(CultureInfo.InvariantCulture, $"198.51.100.{i}"), "newsletter", 3));
        }

        for (var i = 1; i <= 5; i++)
        {
            senders.Add(new Sender($"mail.partner{i}.example", string.Create(CultureInfo.InvariantCulture, $"192.0.2.{200 + i}"), "partner", 2));
        }
    }

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.45 : 1.0;
        var growth = estate.Growth(day);
        var count = (int)Math.Round(SessionsPerDayAtScaleOne * scale * weekend * growth);
        var starts = Enumerable.Range(0, count).Select(_ => SimRandom.Diurnal(random, day)).Order().ToList();
        var weights = senders.Select(s => s.Weight).ToArray();
        foreach (var start in starts)
        {
            var sender = PickWeighted(random, weights);
            yield return Message(random, senders[sender], start);
        }
    }

    public IEnumerable<TruthRecord> Truth() =>
        senders.Where(s => seen.ContainsKey(s.Ip)).Select(s =>
        {
            var (first, last, messages, typos) = seen[s.Ip];
            return new TruthRecord("legitimate", [s.Ip], first, last, log.Routing.RelaysOf(s.Ip), new Dictionary<string, object>
            {
                ["sender"] = s.Kind, ["host"] = s.Host, ["messages"] = messages, ["mistyped_recipients"] = typos,
            });
        });

    private IReadOnlyList<SimLine> Message(Random random, Sender sender, DateTimeOffset start)
    {
        var pid = NextPid();
        var session = new SmtpSession(log, pid, sender.Host, sender.Ip, sender.Host, start);
        session.Connect();
        var from = sender.Kind switch
        {
            "newsletter" => $"bounce-{random.Next(100_000, 999_999)}@{sender.Host}",
            "partner" => $"orders@{sender.Host["mail.".Length..]}",
            _ => $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(1, 99)}@bigmail.example",
        };
        var recipients = Enumerable.Range(0, random.NextDouble() < 0.8 ? 1 : random.Next(2, 4))
            .Select(_ => SimRandom.Pick(random, estate.Users)).Distinct().ToList();
        var typo = random.NextDouble() < TypoRate;
        if (typo)
        {
            var misspelt = Misspell(random, recipients[0]);
            session.Wait(0.2).RejectRcpt(from, $"{misspelt}@{estate.Domain}", "550", "5.1.1",
                $"<{misspelt}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
        }

        InboundMessage.Accept(session, random, estate, from, [.. recipients.Select(r => $"{r}@{estate.Domain}")], sender.Host, pid);
        var record = seen.TryGetValue(sender.Ip, out var known) ? known : (start, start, 0L, 0L);
        seen[sender.Ip] = (record.Item1, start, record.Item3 + 1, record.Item4 + (typo ? 1 : 0));
        return session.Lines;
    }

    private static string Misspell(Random random, string user)
    {
        var at = random.Next(1, user.Length - 1);
        return user[at] == '.' ? user.Remove(at - 1, 1) : user.Remove(at, 1);
    }

    private static int PickWeighted(Random random, int[] weights)
    {
        var roll = random.Next(weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private int NextPid()
    {
        nextPid = nextPid >= 60_000 ? 10_000 : nextPid + 3;
        return nextPid;
    }

    private sealed record Sender(string Host, string Ip, string Kind, int Weight);
}
