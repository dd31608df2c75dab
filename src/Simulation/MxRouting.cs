using System.Net;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation;

/// <summary>
/// Which relay takes each SMTP session, by the estate's MX records: <c>mx1</c> (Postfix) at site
/// <c>lon</c> (preference 10), <c>mx2</c> (Exim) at site <c>fra</c> (preference 20), and at preference 30, the
/// last resort, <c>esa1</c> (a Cisco Secure Email appliance) at site <c>nyc</c>, <c>mx4</c> (Sendmail) at
/// site <c>sgp</c> and <c>EDGE1</c> (an Exchange Edge Transport server) at site <c>ams</c>. Senders use the
/// preferred MX, except the few that always pick another, chosen by address: 8 % of outside addresses
/// the backup and 2 % the last resort (one of its relays, also by address), as some odd MTAs do; 30 %
/// of the attackers' addresses the backup and 15 % the last resort, as spammers favour the lesser MX in
/// the hope of weaker filtering. While the preferred site is
/// dark — one outage on the fourth day of each simulated week, 40 to 150 minutes starting between 08:00
/// and 16:00 UTC — what it would have taken goes to the backup. Our own servers hand outbound mail to
/// the preferred relay, or to the backup during an outage.
/// </summary>
internal sealed class MxRouting
{
    private const double BackupShare = 0.08;
    private const double LastShare = 0.02;
    private const double AttackerBackupShare = 0.30;
    private const double AttackerLastShare = 0.15;
    private static readonly IPNetwork Ours = IPNetwork.Parse("10.0.0.0/8");
    private readonly List<(DateTimeOffset Start, DateTimeOffset End)> outages = [];
    private readonly Dictionary<string, SortedSet<string>> used = new(StringComparer.Ordinal);

    /// <summary>The one relay every session reaches, when set (<see cref="Pinned"/>).</summary>
    private readonly string? pinned;

    public MxRouting(int seed, DateOnly start, int days)
    {
        for (var day = 3; day < days; day += 7)
        {
            var date = start.AddDays(day);
            var random = new Random(unchecked((seed * 1_000_003) + (99 * 7_919) + date.DayNumber));
            var from = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(480 + random.Next(480));
            outages.Add((from, from.AddMinutes(40 + random.Next(111))));
        }
    }

    /// <summary>
    /// A routing in which every session reaches <paramref name="relay"/>, whatever the MX records say, and
    /// no site is ever dark: to have one MTA write everything the actors do (the per-vendor tests).
    /// </summary>
    public static MxRouting Pinned(string relay, int seed, DateOnly start) => new(seed, start, days: 0, relay);

    private MxRouting(int seed, DateOnly start, int days, string relay)
        : this(seed, start, days) => pinned = relay;

    /// <summary>
    /// The estate's relays, by preference: a Postfix relay at the preferred site, an Exim relay (another
    /// vendor, as after a merger) at the backup, a Cisco appliance, a Sendmail relay and an Exchange Edge
    /// server at the last resort.
    /// </summary>
    public static IReadOnlyList<(string Site, string Relay, int Preference, RelayMta Mta)> Sites { get; } =
        [("lon", "mx1", 10, RelayMta.Postfix), ("fra", "mx2", 20, RelayMta.Exim), ("nyc", "esa1", 30, RelayMta.Esa), ("sgp", "mx4", 30, RelayMta.Sendmail),
            ("ams", "EDGE1", 30, RelayMta.Exchange)];

    /// <summary>The relays of the highest preference, among which a sender of the last resort picks by its address.</summary>
    private static readonly string[] LastResort = [.. Sites.Where(s => s.Preference == Sites.Max(m => m.Preference)).Select(s => s.Relay)];

    /// <summary>A relay's address on the inside network, where Domino hands it outbound mail: 10.20.<i>site</i>.11.</summary>
    public static string InsideAddress(string relay) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"10.20.{Sites.Select(s => s.Relay).ToList().IndexOf(relay)}.11");

    /// <summary>The MTA a relay runs.</summary>
    public static RelayMta MtaOf(string relay) => Sites.First(s => s.Relay == relay).Mta;

    public static string Preferred => Sites[0].Relay;

    public static string Backup => Sites[1].Relay;

    /// <summary>
    /// The relay the legacy domain's own MX record names: the appliance, which came with the company
    /// that domain belonged to and still takes its mail.
    /// </summary>
    public static string LegacyMx => Sites[2].Relay;

    /// <summary>When the preferred site was dark.</summary>
    public IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> Outages => outages;

    /// <summary>The relay a session from <paramref name="clientIp"/> starting at <paramref name="time"/> reaches; remembered for the truth.</summary>
    /// <param name="favoursBackup">The sender is an attacker, more often aiming at the backup MX.</param>
    /// <param name="only">The one relay the recipient domain's own MX record names (<see cref="LegacyMx"/>).</param>
    public string RelayFor(DateTimeOffset time, string clientIp, bool favoursBackup = false, string? only = null)
    {
        var relay = pinned ?? only ?? Route(time, clientIp, favoursBackup);
        if (!used.TryGetValue(clientIp, out var relays))
        {
            used[clientIp] = relays = new SortedSet<string>(StringComparer.Ordinal);
        }

        relays.Add(relay);
        return relay;
    }

    /// <summary>The relay a session would reach, without remembering it (<see cref="RelayFor"/> does).</summary>
    public string Route(DateTimeOffset time, string clientIp, bool favoursBackup = false)
    {
        if (pinned is not null)
        {
            return pinned;
        }

        if (IsInternal(clientIp))
        {
            return Dark(time) ? Backup : Preferred;
        }

        var (backup, last) = favoursBackup ? (AttackerBackupShare, AttackerLastShare) : (BackupShare, LastShare);
        var share = Fraction(clientIp);
        return share < backup ? Backup
            : share < backup + last ? LastResort[StableHash.Of32("mx " + clientIp) % (uint)LastResort.Length]
            : Dark(time) ? Backup
            : Preferred;
    }

    /// <summary>
    /// A relay a scanner finds listening, whatever the MX records say (password guessers work through
    /// every host with the submission port open): the <paramref name="pick"/>-th of those up at the time.
    /// </summary>
    public string Scanned(DateTimeOffset time, int pick)
    {
        if (pinned is not null)
        {
            return pinned;
        }

        var up = Sites.Where(s => s.Relay != Preferred || !Dark(time)).ToList();
        return up[pick % up.Count].Relay;
    }

    /// <summary>When <paramref name="relay"/> can next do anything at or after <paramref name="time"/>: a moment after its site's outage ends, if it is dark then.</summary>
    public DateTimeOffset UpAgain(string relay, DateTimeOffset time) =>
        relay == Preferred && outages.FirstOrDefault(o => time >= o.Start && time < o.End) is { End: var end } && end > time ? end.AddSeconds(30) : time;

    private bool Dark(DateTimeOffset time) => outages.Any(o => time >= o.Start && time < o.End);

    /// <summary>The relays the given addresses' sessions reached, for their truth records.</summary>
    public IReadOnlyList<string> RelaysOf(IEnumerable<string> clientIps) =>
        [.. clientIps.SelectMany(ip => used.TryGetValue(ip, out var relays) ? relays : []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> RelaysOf(string clientIp) => RelaysOf([clientIp]);

    private static bool IsInternal(string ip) =>
        IPAddress.TryParse(ip, out var address) && (Ours.Contains(address) || IPAddress.IsLoopback(address));

    /// <summary>A stable share in [0, 1) for an address.</summary>
    private static double Fraction(string text) => (StableHash.Of32(text) % 10_000) / 10_000.0;
}
