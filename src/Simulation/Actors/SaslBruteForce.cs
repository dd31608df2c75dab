using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Password guessing against the submission port: bursts of failed SMTP AUTH LOGIN from one address,
/// each session at whichever relay the scanner turns to next (<see cref="MxRouting.Scanned"/>).
/// </summary>
internal sealed class SaslBruteForce(SimLog log, int seed, int actorIndex) : IActor
{
    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var ip = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{random.Next(200, 250)}");
        var start = SimRandom.Diurnal(random, day);
        var at = start;
        var attempts = 0;
        var sessions = new List<IReadOnlyList<SimLine>>();
        for (var round = 0; round < 10 + random.Next(20); round++)
        {
            var session = new SmtpSession(log, 55_000 + random.Next(1000), "unknown", ip, "User", at, "postfix/submission/smtpd", attacker: true, relay: log.Routing.Scanned(at, random.Next(100)));
            session.Connect();
            for (var guess = 0; guess < 3; guess++)
            {
                session.Wait(1 + (2 * random.NextDouble())).AuthFailure("LOGIN");
                attempts++;
            }

            session.Wait(0.1).Add("smtpd.lost_connection", new() { ["stage"] = "AUTH" });
            session.Wait(0.01).DisconnectAfterAuth(3);
            sessions.Add(session.Lines);
            at = session.Now.AddSeconds(10 + random.Next(50));
        }

        truth.Add(new TruthRecord("auth_bruteforce", [ip], start, at, log.Routing.RelaysOf(ip), new Dictionary<string, object> { ["attempts"] = attempts }));
        return sessions;
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
