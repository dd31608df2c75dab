using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// NDR backscatter: someone forged our users' addresses on spam, and another site's MTA bounces it
/// back to them — null-sender messages for mail our users never sent, accepted and delivered.
/// The bouncing server is another organisation's, and innocent: its truth record (kind
/// <c>backscatter</c>, what the <c>unmatched_bounces</c> rule should name) says so with
/// <c>detail.innocent</c>, so that the model's evaluation never counts it as an attacker.
/// </summary>
internal sealed class Backscatter(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var ip = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{random.Next(50, 60)}");
        var host = string.Create(CultureInfo.InvariantCulture, $"mx{random.Next(1, 9)}.victim-isp.example");
        var bounces = 5 + random.Next(20);
        var starts = Enumerable.Range(0, bounces).Select(_ => SimRandom.Diurnal(random, day)).Order().ToList();
        var targets = new List<string>();
        var sessions = new List<IReadOnlyList<SimLine>>();
        foreach (var start in starts)
        {
            var session = new SmtpSession(log, 47_000 + random.Next(1000), host, ip, host, start);
            session.Connect();
            var target = $"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}";
            targets.Add(target);
            InboundMessage.Accept(session, random, estate, string.Empty, [target], host, 47_000 + random.Next(1000));
            sessions.Add(session.Lines);
        }

        truth.Add(new TruthRecord("backscatter", [ip], starts[0], starts[^1], log.Routing.RelaysOf(ip), new Dictionary<string, object>
        {
            ["shape"] = "single_server", ["innocent"] = true, ["bouncing_host"] = host, ["bounces"] = bounces, ["targets"] = targets.Distinct().Order(StringComparer.Ordinal).ToList(),
        }));
        return sessions;
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
