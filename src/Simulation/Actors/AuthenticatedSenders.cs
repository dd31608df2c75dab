using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Partners and services that send as us: they log in (SMTP AUTH on the submission port) and send
/// with one of our addresses as the envelope sender — payroll, invoicing, a logistics partner's
/// shipping notices — to our users and to customers outside, which the relay delivers out because
/// they logged in. Legitimate by definition: mail "from us" from outside, and foreign recipients from
/// an outside address, that the spoofing and open-relay detectors must leave alone.
/// </summary>
internal sealed class AuthenticatedSenders(Estate estate, SimLog log, double scale, int seed, int actorIndex) : IActor
{
    /// <summary>Messages on a weekday at scale 1, over all services.</summary>
    private const int MessagesPerDayAtScaleOne = 1_500;

    private static readonly (string Host, string Ip, string User, string Sender)[] Services =
    [
        ("smtp.payroll-saas.example", "192.0.2.150", "payroll-saas", "payroll"),
        ("out.invoicing-cloud.example", "2001:db8:c12::25", "invoicing-cloud", "invoices"),
        ("relay.partner-logistics.example", "192.0.2.160", "partner-logistics", "shipping"),
    ];

    private readonly Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, long Messages)> seen = new(StringComparer.Ordinal);

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.15 : 1.0;
        var count = (int)Math.Round(MessagesPerDayAtScaleOne * scale * weekend * estate.Growth(day));
        foreach (var start in Enumerable.Range(0, count).Select(_ => SimRandom.Diurnal(random, day)).Order().ToList())
        {
            var (host, ip, user, sender) = Services[random.Next(Services.Length)];
            var pid = 30_000 + random.Next(5000);
            var session = new SmtpSession(log, pid, host, ip, host, start, "postfix/submission/smtpd");
            session.Connect();
            var from = $"{sender}@{estate.Domain}";
            if (random.NextDouble() < 0.5)
            {
                InboundMessage.Accept(session, random, estate, from, [$"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}"], host, pid, saslUser: user);
            }
            else
            {
                // A customer outside: delivered out by the relay, as any logged-in sender's mail is.
                var provider = random.Next(1, 5);
                var customer = string.Create(CultureInfo.InvariantCulture, $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(1, 999)}@bigmail.example");
                var hop = string.Create(CultureInfo.InvariantCulture, $"mx{provider}.bigmail.example[192.0.2.{99 + provider}]:25");
                InboundMessage.Accept(session, random, estate, from, [customer], host, pid, hop, user);
            }

            var record = seen.TryGetValue(ip, out var known) ? known : (start, start, 0L);
            seen[ip] = (record.Item1, session.Now, record.Item3 + 1);
            yield return session.Lines;
        }
    }

    public IEnumerable<TruthRecord> Truth() =>
        Services.Where(s => seen.ContainsKey(s.Ip)).Select(s => new TruthRecord("legitimate", [s.Ip], seen[s.Ip].First, seen[s.Ip].Last, log.Routing.RelaysOf(s.Ip), new Dictionary<string, object>
        {
            ["sender"] = "authenticated_service", ["host"] = s.Host, ["sasl_user"] = s.User, ["messages"] = seen[s.Ip].Messages, ["mistyped_recipients"] = 0L,
        }));
}
