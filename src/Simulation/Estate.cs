namespace RelayWatch.Simulation;

/// <summary>
/// The organisation being simulated: its domain, its users, its relay and the Domino server behind
/// it. Two Point-of-Presence sites with a Postfix relay each (<see cref="MxRouting"/>); other MTAs follow.
/// </summary>
internal sealed class Estate
{
    public static readonly string[] FirstNames =
    [
        "alice", "bob", "carol", "david", "erin", "frank", "grace", "heidi", "ivan", "judy", "kevin", "laura", "mallory", "nina",
        "oscar", "peggy", "quentin", "rupert", "sybil", "trent", "ursula", "victor", "walter", "xena", "yusuf", "zoe",
    ];

    public static readonly string[] LastNames =
    [
        "smith", "jones", "miller", "brown", "wilson", "taylor", "clark", "walker", "young", "king", "wright", "scott",
        "green", "baker", "adams", "nelson", "hill", "campbell", "mitchell", "roberts",
    ];

    public Estate(Random random, int users, DateOnly firstDay, double growthPercent)
    {
        (this.firstDay, growthPerDay) = (firstDay, growthPercent / 100);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (names.Count < users)
        {
            names.Add($"{FirstNames[random.Next(FirstNames.Length)]}.{LastNames[random.Next(LastNames.Length)]}");
        }

        Users = [.. names.Order(StringComparer.Ordinal)];
        DominoServer = new DominoServer(Domain);
        UserSet = names;
        // A few users forward their mail to a private mailbox outside: deliveries to a foreign
        // domain from outside clients that are not relaying.
        Forwards = Users.Where(_ => random.NextDouble() < 0.03).ToDictionary(u => $"{u}@{Domain}", u => $"{u.Replace('.', '_')}@home.example.net", StringComparer.Ordinal);
    }

    /// <summary>Forwarded mailboxes: our address → the outside address the relay delivers to.</summary>
    public IReadOnlyDictionary<string, string> Forwards { get; }

    /// <summary>Where a forwarded mailbox's mail goes out.</summary>
    public const string ForwardHop = "mx.home.example.net[198.51.100.45]:25";

    public string Domain { get; } = "ours.example";

    private readonly DateOnly firstDay;
    private readonly double growthPerDay;

    /// <summary>Legitimate traffic on a day against the first day: compound growth of <c>--growth</c> percent a day.</summary>
    public double Growth(DateOnly day) => Math.Pow(1 + growthPerDay, day.DayNumber - firstDay.DayNumber);

    /// <summary>The Domino server the relays hand inbound mail to, on a high port.</summary>
    public DominoServer DominoServer { get; }

    /// <summary>Where the relay hands inbound mail on, as Postfix logs the next hop.</summary>
    public string Domino => DominoServer.Hop;

    /// <summary>Valid local parts, first.last.</summary>
    public IReadOnlyList<string> Users { get; }

    public IReadOnlySet<string> UserSet { get; }

    public bool IsUser(string localPart) => UserSet.Contains(localPart);
}
