using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// The Domino server reachable from the Internet past the relays (a firewall rule left open): every
/// other day a password guesser finds its SMTP listener and tries the usual user names straight at it,
/// three a session. Only Domino's console log sees it — the relays never do — so it is the case for
/// reading the internal servers' logs too.
/// </summary>
internal sealed class DominoExposed(Estate estate, SimLog log, int seed, int actorIndex, DateOnly firstDay) : IActor
{
    private static readonly string[] Users = ["admin", "administrator", "postmaster", "test", "info", "notes", "domino", "sales"];

    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        if ((day.DayNumber - firstDay.DayNumber) % 2 != 0)
        {
            yield break;
        }

        var random = SimRandom.For(seed, actorIndex, day);
        var ip = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{random.Next(70, 90)}");
        var start = SimRandom.Diurnal(random, day);
        var at = start;
        var guesses = 0;
        for (var session = 0; session < 5 + random.Next(10); session++)
        {
            var tried = Enumerable.Range(0, 3).Select(_ => SimRandom.Pick(random, Users)).ToList();
            var (lines, end) = estate.DominoServer.PasswordGuesses(log, at, random, ip, tried);
            guesses += tried.Count;
            yield return lines;
            at = end.AddSeconds(20 + random.Next(90));
        }

        truth.Add(new TruthRecord("auth_bruteforce", [ip], start, at, [DominoServer.Name], new Dictionary<string, object>
        {
            ["attempts"] = guesses, ["target"] = DominoServer.Name, ["exposed_internal_server"] = true,
        }));
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
