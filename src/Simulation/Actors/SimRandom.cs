using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>Random choices shared by the actors, all from a seeded <see cref="Random"/>.</summary>
internal static class SimRandom
{
    private const string QueueIdAlphabet = "0123456789ABCDEF";

    /// <summary>A Random for one actor and day: the same seed, actor and day always give the same choices.</summary>
    public static Random For(int seed, int actor, DateOnly day) => new(unchecked((seed * 1_000_003) + (actor * 7_919) + day.DayNumber));

    /// <summary>A Postfix short queue id, ten hexadecimal digits.</summary>
    public static string QueueId(Random random) => string.Create(10, random, static (span, r) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = QueueIdAlphabet[r.Next(QueueIdAlphabet.Length)];
        }
    });

    /// <summary>A moment of the day drawn from a diurnal curve: quiet at night, busiest mid-morning and mid-afternoon.</summary>
    public static DateTimeOffset Diurnal(Random random, DateOnly day)
    {
        while (true)
        {
            var hour = random.NextDouble() * 24;
            var weight = 0.15 + (0.85 * Math.Max(0, Math.Sin(Math.PI * (hour - 6) / 13)));
            if (random.NextDouble() < weight)
            {
                return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(hour);
            }
        }
    }

    public static string Seconds(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
