using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Where the harder world's senders live. IPv4 has little documentation space left once the classic
/// actors took theirs, so the harder world's IPv4 senders share 198.18.0.0/16 with the classic
/// low-and-slow harvest, in bands of /24s by role (<see cref="Band"/>), and leave out every /24 that
/// harvest uses in the simulation — as long as a band keeps some; over a long simulation the harvest
/// has used them all, and then a sender may share a /24 with it on some day. IPv6 senders each get a
/// /48 of their own in 2001:db8::/32, by role.
/// </summary>
internal sealed class AddressSpace
{
    private readonly HashSet<int> harvested = [];

    /// <param name="slowHarvestIndex">The classic low-and-slow harvest's actor index, whose /24s are left out.</param>
    public AddressSpace(int seed, DateOnly start, int days, int slowHarvestIndex)
    {
        for (var day = start; day < start.AddDays(days); day = day.AddDays(1))
        {
            if (SlowHarvest.Ipv4ThirdOctet(seed, slowHarvestIndex, day) is { } octet)
            {
                harvested.Add(octet);
            }
        }
    }

    /// <summary>The /24s of 198.18.0.0/16 (by third octet) and the /48s of 2001:db8::/32 (by third group) each role draws from.</summary>
    public enum Band
    {
        /// <summary>The servers that bounce a backscatter wave.</summary>
        Bouncers,

        /// <summary>Snowshoe spammers' addresses.</summary>
        Snowshoe,

        /// <summary>Our remote users' home connections.</summary>
        Homes,

        /// <summary>Where a stolen account's spam is sent from.</summary>
        Hijackers,

        /// <summary>The very slow harvest's addresses.</summary>
        SlowHarvesters,

        /// <summary>The servers rented from one provider for an AS-wide harvest (<see cref="AsCampaignHarvest"/>): its own AS.</summary>
        RentedServers,
    }

    private static (int First, int Last, int V6First, int V6Count) Range(Band band) => band switch
    {
        Band.Bouncers => (0, 79, 0x6000, 0x1000),
        Band.Snowshoe => (80, 159, 0x7000, 0x1000),
        Band.Homes => (160, 169, 0x9000, 0x100),
        Band.Hijackers => (170, 179, 0x9100, 0x100),
        Band.RentedServers => (180, 187, 0xa000, 0x100),
        _ => (200, 254, 0x8000, 0x1000),
    };

    /// <summary>A /24 of the band (its first three octets), not one the classic harvest uses while the band has others.</summary>
    public string Ipv4Network(Random random, Band band)
    {
        var (first, last, _, _) = Range(band);
        var free = Enumerable.Range(first, last - first + 1).Where(o => !harvested.Contains(o)).ToList();
        var octet = free.Count > 0 ? SimRandom.Pick(random, free) : random.Next(first, last + 1);
        return string.Create(CultureInfo.InvariantCulture, $"198.18.{octet}");
    }

    /// <summary>An address in a /24 of the band.</summary>
    public string Ipv4(Random random, Band band) => string.Create(CultureInfo.InvariantCulture, $"{Ipv4Network(random, band)}.{random.Next(1, 255)}");

    /// <summary>An address in a /48 of the band.</summary>
    public static string Ipv6(Random random, Band band)
    {
        var (_, _, first, count) = Range(band);
        return string.Create(CultureInfo.InvariantCulture, $"2001:db8:{first + random.Next(count):x}:{random.Next(1, 0xffff):x}::{random.Next(2, 0xfff):x}");
    }

    /// <summary>A fixed /24 for one legitimate sender's pool (the stale-list mailer, the webmail provider, …): 198.18.<paramref name="octet"/>.0/24, 190–199.</summary>
    public static string Pool(int octet, int host) => string.Create(CultureInfo.InvariantCulture, $"198.18.{octet}.{host}");
}
