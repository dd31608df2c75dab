namespace RelayWatch.Simulation.Relays;

/// <summary>
/// The user name a password guesser tried, for the MTAs that log it (Postfix does not): the actors
/// tell only that a login failed, and the common names guessers try stand in, stable for the client
/// and the moment.
/// </summary>
internal static class GuessedUsers
{
    private static readonly string[] Names = ["admin", "info", "test", "sales", "office", "support", "postmaster", "scanner"];

    public static string For(Dictionary<string, string> values, DateTimeOffset time) =>
        Names[StableHash.Of64(values["client_ip"] + time.Ticks) % (ulong)Names.Length];
}
