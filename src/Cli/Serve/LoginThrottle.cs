namespace RelayWatch.Cli.Serve;

/// <summary>
/// Failed logins counted in fixed windows, by user name and by client address: after
/// <see cref="SlowAfter"/> failures each further failure is answered a second late, and at
/// <see cref="FailuresPerName"/> for one name (or <see cref="FailuresPerAddress"/> from one address) every
/// login for that name (or from that address) is refused until the window that counted them ends. A name's
/// failures never block another name, so someone guessing at <c>ana</c> does not lock out <c>vic</c>.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int SlowAfter = 3;
    public const int FailuresPerName = 5;
    public const int FailuresPerAddress = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    /// <summary>Names and addresses are attacker-chosen: beyond this many counters, expired ones are dropped first.</summary>
    private const int MaxCounters = 100_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, Counter> counters = new(StringComparer.Ordinal);

    /// <summary>Why a login is refused now, and until when; null when it may be tried.</summary>
    public Refusal? Check(string name, string address)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            return RefusalOf(NameKey(name), FailuresPerName, "this user name", now)
                ?? RefusalOf(AddressKey(address), FailuresPerAddress, "this address", now);
        }
    }

    /// <summary>Counts a failed login; true when the answer should be slowed.</summary>
    public bool Fail(string name, string address)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (counters.Count >= MaxCounters)
            {
                foreach (var expired in counters.Where(c => now - c.Value.Start >= Window).Select(c => c.Key).ToList())
                {
                    counters.Remove(expired);
                }
            }

            var byName = Count(NameKey(name), now);
            var byAddress = Count(AddressKey(address), now);
            return Math.Max(byName, byAddress) >= SlowAfter;
        }
    }

    private int Count(string key, DateTimeOffset now)
    {
        if (!counters.TryGetValue(key, out var counter) || now - counter.Start >= Window)
        {
            if (counters.Count >= MaxCounters && !counters.ContainsKey(key))
            {
                // Full of live counters (a flood of invented names): the address counter still holds the line.
                return 0;
            }

            counter = new Counter(now, 0, false);
        }

        counters[key] = counter with { Failures = counter.Failures + 1 };
        return counter.Failures + 1;
    }

    private Refusal? RefusalOf(string key, int limit, string what, DateTimeOffset now)
    {
        if (!counters.TryGetValue(key, out var counter) || now - counter.Start >= Window || counter.Failures < limit)
        {
            return null;
        }

        // The first refusal of a window is worth an audit entry; a flood of them is not worth a flood of rows.
        var first = !counter.Reported;
        counters[key] = counter with { Reported = true };
        return new Refusal(what, counter.Start + Window, first);
    }

    // User names compare exactly, but a refusal must not be dodged by changing a letter's case.
    private static string NameKey(string name) => "n:" + (name.Length > 64 ? name[..64] : name).ToUpperInvariant();

    private static string AddressKey(string address) => "a:" + address;

    private readonly record struct Counter(DateTimeOffset Start, int Failures, bool Reported);

    /// <summary>A refused login: for which key (in words), until when, and whether it is the window's first refusal.</summary>
    internal sealed record Refusal(string For, DateTimeOffset Until, bool First);
}
