using System.Globalization;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// The long tail of legitimate mail: small organisations' own servers, each in a network of its own,
/// sending a message or three on the days they write at all. Unlike the big providers they are quiet,
/// often seen only once a day and not every day, and not all use TLS — so quietness alone must never
/// look like an attack. They mistype recipients as often as anyone, which on a one-message day makes
/// their unknown-recipient share 50% or 100%: half the time the mistyped address was the only one, so
/// nothing at all is accepted from them that day — on paper, one quiet sender of one unknown recipient,
/// like a member of a low-and-slow harvest. Their rDNS, HELO and lack of company tell them apart.
/// The relays greylist (postgrey, Exim's ACL; not the Cisco appliance): an organisation's first message
/// is deferred with a 450 "Greylisted" and sent again, and accepted, 5 to 20 minutes later; after that it is known.
/// </summary>
internal sealed class SmallSenders : IActor
{
    private const int OrganisationsAtScaleOne = 20_000;
    private const double TypoRate = 0.02;

    private readonly Estate estate;
    private readonly SimLog log;
    private readonly int seed;
    private readonly int actorIndex;
    private readonly List<(string Host, string Ip, double Activity, bool Tls)> organisations = [];
    private readonly Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, long Messages, long Typos)> seen = [];

    /// <summary>Organisations the greylist knows (their first message was deferred and came again).</summary>
    private readonly HashSet<string> greylistKnows = new(StringComparer.Ordinal);

    /// <summary>Messages deferred by the greylist, per organisation's address.</summary>
    private readonly Dictionary<string, long> greylisted = new(StringComparer.Ordinal);
    private int nextPid = 60_000;

    public SmallSenders(Estate estate, SimLog log, double scale, int seed, int actorIndex)
    {
        (this.estate, this.log, this.seed, this.actorIndex) = (estate, log, seed, actorIndex);
        var random = new Random(unchecked((seed * 31) + actorIndex));
        var count = Math.Max(50, (int)Math.Round(OrganisationsAtScaleOne * scale));
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; addresses.Count < count; i++)
        {
            // Half IPv4 (198.19.128.0/17, one /24 each), half IPv6 (a /48 each in 2001:db8:e000::/36).
            var ip = i % 2 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"198.19.{128 + random.Next(128)}.{random.Next(1, 255)}")
                : string.Create(CultureInfo.InvariantCulture, $"2001:db8:e{random.Next(0x1000):x3}::{random.Next(1, 0xff):x}");
            if (addresses.Add(ip))
            {
                var name = $"{SimRandom.Pick(random, Estate.LastNames).ToLowerInvariant()}-{SimRandom.Pick(random, Industries)}{random.Next(1, 99)}";
                organisations.Add(($"mail.{name}.example", ip, 0.1 + (0.6 * random.NextDouble()), random.NextDouble() < 0.7));
            }
        }
    }

    private static readonly string[] Industries = ["law", "dental", "builders", "bakery", "design", "consult", "travel", "print", "garage", "farm"];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var volume = (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.3 : 1.0) * estate.Growth(day);
        // Who writes today and when, first (a few bytes per message); each session is written only when
        // its turn comes, so the day is streamed rather than held.
        var messages = new List<(DateTimeOffset Start, int Organisation)>();
        for (var i = 0; i < organisations.Count; i++)
        {
            if (random.NextDouble() < organisations[i].Activity * volume)
            {
                for (var m = 1 + (random.NextDouble() < 0.3 ? random.Next(1, 3) : 0); m > 0; m--)
                {
                    messages.Add((SimRandom.Diurnal(random, day), i));
                }
            }
        }

        messages.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Organisation.CompareTo(b.Organisation));
        // Deferred messages come again later; sessions must still come in order of their start.
        var retries = new PriorityQueue<(int Organisation, string From, string Recipient), DateTimeOffset>();
        foreach (var (start, organisation) in messages)
        {
            while (retries.TryPeek(out var retry, out var due) && due <= start)
            {
                retries.Dequeue();
                yield return Session(random, organisations[retry.Organisation], due, (retry.From, retry.Recipient));
            }

            var sender = organisations[organisation];
            // A first message late in the evening is let through rather than retried after midnight, into
            // tomorrow's stream; so is one that reaches a relay without a greylist.
            if (greylistKnows.Add(sender.Ip) && start.TimeOfDay < TimeSpan.FromHours(23.5) && MxRouting.MtaOf(log.Routing.Route(start, sender.Ip)).Greylists())
            {
                var (lines, from, recipient, retryAt) = Deferred(random, sender, start);
                retries.Enqueue((organisation, from, recipient), retryAt);
                yield return lines;
                continue;
            }

            yield return Session(random, sender, start);
        }

        while (retries.TryDequeue(out var retry, out var due))
        {
            yield return Session(random, organisations[retry.Organisation], due, (retry.From, retry.Recipient));
        }
    }

    /// <summary>A first message, deferred by the greylist: the recipient refused with 450 for now; the sender will try again.</summary>
    private (IReadOnlyList<SimLine> Lines, string From, string Recipient, DateTimeOffset RetryAt) Deferred(Random random, (string Host, string Ip, double Activity, bool Tls) sender, DateTimeOffset start)
    {
        var session = new SmtpSession(log, NextPid(), sender.Host, sender.Ip, sender.Host, start) { Tls = sender.Tls };
        session.Connect();
        var from = $"{SimRandom.Pick(random, Estate.FirstNames).ToLowerInvariant()}@{sender.Host["mail.".Length..]}";
        var recipient = SimRandom.Pick(random, estate.Users);
        session.Wait(0.3).RejectRcpt(from, $"{recipient}@{estate.Domain}", "450", "4.2.0",
            $"<{recipient}@{estate.Domain}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{estate.Domain}.html");
        session.Wait(0.2).Disconnect(withMessage: false);
        greylisted[sender.Ip] = greylisted.GetValueOrDefault(sender.Ip) + 1;
        Remember(sender.Ip, start, session.Now, messages: 0, typos: 0);
        return (session.Lines, from, recipient, session.Now.AddMinutes(5 + random.Next(16)));
    }

    /// <param name="retry">The envelope of a deferred message sent again (no typo then: it is the envelope the greylist saw).</param>
    private IReadOnlyList<SimLine> Session(Random random, (string Host, string Ip, double Activity, bool Tls) sender, DateTimeOffset start, (string From, string Recipient)? retry = null)
    {
        var pid = NextPid();
        var session = new SmtpSession(log, pid, sender.Host, sender.Ip, sender.Host, start) { Tls = sender.Tls };
        session.Connect();
        var from = retry?.From ?? $"{SimRandom.Pick(random, Estate.FirstNames).ToLowerInvariant()}@{sender.Host["mail.".Length..]}";
        var recipient = retry?.Recipient ?? SimRandom.Pick(random, estate.Users);
        var typo = retry is null && random.NextDouble() < TypoRate;
        if (typo)
        {
            var misspelt = recipient.Remove(random.Next(1, recipient.Length - 1), 1);
            session.Wait(0.3).RejectRcpt(from, $"{misspelt}@{estate.Domain}", "550", "5.1.1",
                $"<{misspelt}@{estate.Domain}>: Recipient address rejected: User unknown in relay recipient table");
        }

        if (typo && random.NextDouble() < 0.5)
        {
            session.Wait(0.2).Disconnect(withMessage: false);
        }
        else
        {
            InboundMessage.Accept(session, random, estate, from, [$"{recipient}@{estate.Domain}"], sender.Host, pid);
        }

        Remember(sender.Ip, start, session.Now, messages: 1, typos: typo ? 1 : 0);
        return session.Lines;
    }

    /// <summary>Adds a session of an organisation to what its truth record will say.</summary>
    private void Remember(string ip, DateTimeOffset start, DateTimeOffset end, long messages, long typos)
    {
        var known = seen.TryGetValue(ip, out var record) ? record : (First: start, Last: end, Messages: 0L, Typos: 0L);
        seen[ip] = (known.First < start ? known.First : start, known.Last > end ? known.Last : end, known.Messages + messages, known.Typos + typos);
    }

    /// <summary>One record per organisation over the whole simulation, as for the other legitimate senders.</summary>
    public IEnumerable<TruthRecord> Truth() =>
        organisations.Where(o => seen.ContainsKey(o.Ip)).Select(o =>
        {
            var (first, last, messages, typos) = seen[o.Ip];
            return new TruthRecord("legitimate", [o.Ip], first, last, log.Routing.RelaysOf(o.Ip), new Dictionary<string, object>
            {
                ["sender"] = "small_organisation", ["host"] = o.Host, ["messages"] = messages, ["mistyped_recipients"] = typos,
                ["greylisted"] = greylisted.GetValueOrDefault(o.Ip),
            });
        });

    private int NextPid()
    {
        nextPid = nextPid >= 64_000 ? 60_000 : nextPid + 3;
        return nextPid;
    }
}
