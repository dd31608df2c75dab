namespace RelayWatch.Simulation.Relays;

/// <summary>
/// A number an MTA counts up as it goes (a Cisco appliance's connection and message numbers,
/// Exchange's session and message ids). The simulator makes sessions in order of their start but
/// writes a session's later lines as it goes, so a number here is read off the clock instead: tenths
/// of a second since <paramref name="origin"/> (so numbers grow with the log as real ones do, each
/// counter at the height its origin gives it), and when two things happen in the same tenth, the
/// next free number.
/// </summary>
internal sealed class ClockCounter(DateTimeOffset origin)
{
    private const long TenthsPerDay = 864_000;

    /// <summary>The numbers given, by day; days long past are forgotten, so memory stays flat.</summary>
    private readonly SortedDictionary<long, HashSet<long>> givenByDay = [];

    public long Next(DateTimeOffset time)
    {
        var id = (time - origin).Ticks / (TimeSpan.TicksPerSecond / 10);
        while (!Given(id).Add(id))
        {
            id++;
        }

        while (givenByDay.Count > 3)
        {
            givenByDay.Remove(givenByDay.Keys.First());
        }

        return id;
    }

    private HashSet<long> Given(long id)
    {
        var day = id / TenthsPerDay;
        if (!givenByDay.TryGetValue(day, out var given))
        {
            givenByDay[day] = given = [];
        }

        return given;
    }
}
