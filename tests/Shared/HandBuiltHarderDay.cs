using System.Globalization;

namespace RelayWatch.Tests.Shared;

/// <summary>
/// A day of the harder world built by hand, in Postfix lines written here (not by the simulator), with the
/// shapes issue 17 says must be told apart: a harvester that uses the null sender (and a nameless bot that
/// guesses one address a session with it), a backscatter wave refused at RCPT (one big provider's server
/// bounces a dozen, four share a hosting /24, the rest unrelated), a wave of bounces accepted for our real
/// users, a newsletter mailing a stale list from a big sender's pool, and a login of ours, stolen, sending
/// spam from a network it never used. Linked into the test projects that use it.
/// </summary>
internal sealed class HandBuiltHarderDay
{
    public static readonly DateOnly Day = new(2026, 11, 24);

    /// <summary>Our domains: the refused wave targets the first, the accepted wave the second.</summary>
    public static readonly string[] Ours = ["ours.example", "legacy.example"];

    public const string Harvester = "203.0.113.66";

    public const string NamelessGuesser = "203.0.113.67";

    public const string CompromisedLogin = "alice";

    /// <summary>The stolen login's client on the day: a hosting provider's VPS.</summary>
    public const string CompromisedClient = "203.0.113.201";

    private HandBuiltHarderDay(PostfixLog lines) => Lines = lines;

    public PostfixLog Lines { get; }

    public List<string> RefusedWaveServers { get; } = [];

    public long RefusedWaveBounces { get; private set; }

    public List<string> AcceptedWaveServers { get; } = [];

    /// <summary>The newsletter pool's addresses.</summary>
    public List<string> NewsletterPool { get; } = [];

    public static HandBuiltHarderDay Build()
    {
        var log = new PostfixLog();
        var day = new HandBuiltHarderDay(log);

        // The login's habit: a few messages a day from its home network in the fortnight before.
        foreach (var back in new[] { 9, 6, 3, 1 })
        {
            log.Day = Day.AddDays(-back);
            log.Submission("home.isp.example", "198.51.100.7", CompromisedLogin, "alice@ours.example", [("friend@partner.example", false), ("bob@supplier.example", false)], "09:00:00");
        }

        log.Day = Day;

        // Our own mail: mail delivered in to our real mailboxes.
        log.Inbound("mail.partner.example", "192.0.2.10", "orders@partner.example", ["alice.smith@ours.example", "bob.jones@ours.example", "carol.green@ours.example"], at: "07:00:00");
        log.Inbound("mail.partner.example", "192.0.2.10", "orders@partner.example", ["dora@legacy.example", "ed.king@legacy.example", "fay@legacy.example"], at: "07:05:00");

        // The stolen login: 150 strangers in three batches from a VPS, a quarter of them refused by the far side.
        for (var batch = 0; batch < 3; batch++)
        {
            log.Submission("vps-77.cheap-hosting.example", CompromisedClient, CompromisedLogin, "alice@ours.example",
                [.. Enumerable.Range(0, 50).Select(n => (string.Create(CultureInfo.InvariantCulture, $"buyer{batch * 50 + n}@shop{n}.example"), n % 4 == 0))],
                string.Create(CultureInfo.InvariantCulture, $"07:{30 + (batch * 9):00}:00"));
        }

        // A harvester that uses the null sender: one session, one transaction, a dictionary of recipients.
        log.Refused("unknown", Harvester, "ESMTP", "<>", [.. "admin info sales office support billing webmaster hr jobs contact accounts marketing press help finance".Split(' ').Select(w => w + "@ours.example")], "08:00:00");

        // A backscatter wave, refused at RCPT: receivers of a spam run that forged made-up senders in our
        // domain bounce one notice per message, each in its own session.
        var random = new Random(4711);
        string ForgedLocalPart() => string.Create(CultureInfo.InvariantCulture, $"{(char)('a' + random.Next(26))}{(char)('a' + random.Next(26))}{random.Next(10)}{(char)('a' + random.Next(26))}{random.Next(100, 999)}");
        var bounces = new List<(string Host, string Ip, string At)>();
        for (var i = 0; i < 12; i++)
        {
            bounces.Add(("outbound-7.mail.bigprovider.example", "198.51.100.30", $"09:{i * 4:00}:10"));
        }

        for (var i = 0; i < 4; i++)
        {
            bounces.Add(($"mx{i}.hosting.example", $"198.51.100.{40 + i}", $"09:{(i * 3) + 1:00}:20"));
        }

        for (var i = 0; i < 10; i++)
        {
            bounces.Add(($"mail.receiver{i}.example", $"2001:db8:{0x100 + i:x}::25", $"{9 + (i / 4):00}:{(i * 5) + 2:00}:30"));
        }

        // A bot without reverse DNS that guesses one recipient a session with the null sender: shaped like
        // a bounce, but no receiving MTA is nameless, so it counts as a harvester.
        var guesses = new List<(string Host, string Ip, string Rcpt, string At)>();
        for (var i = 0; i < 12; i++)
        {
            guesses.Add(("unknown", NamelessGuesser, $"{"amy bert cleo dina egon finn gina hugo ines jack kai lena".Split(' ')[i]}@ours.example", $"10:{i * 2:00}:00"));
        }

        // Syslog order: the day's lines by time.
        foreach (var (host, ip, rcpt, at) in bounces.Select(b => (b.Host, b.Ip, $"{ForgedLocalPart()}@ours.example", b.At))
            .Concat(guesses).OrderBy(b => b.Item4, StringComparer.Ordinal))
        {
            if (host != "unknown" && !day.RefusedWaveServers.Contains(ip))
            {
                day.RefusedWaveServers.Add(ip);
            }

            day.RefusedWaveBounces += host == "unknown" ? 0 : 1;
            log.Refused(host, ip, "ESMTP", "<>", [rcpt], at);
        }

        // A newsletter mailing a stale list from its provider's pool: many unknown recipients, but most accepted.
        for (var i = 0; i < 4; i++)
        {
            var ip = $"192.0.2.{100 + i}";
            day.NewsletterPool.Add(ip);
            log.Newsletter($"o{i}.esp-pool.example", ip, "news@letters.example",
                [.. Enumerable.Range(0, 8).Select(n => $"gone{i}{n}@ours.example")], 12, $"11:{i * 5:00}:00");
        }

        // A second wave, of bounces to our real users, accepted: every one from a server of its own.
        string[] realUsers = ["dora@legacy.example", "ed.king@legacy.example", "fay@legacy.example"];
        for (var i = 0; i < 12; i++)
        {
            var ip = $"2001:db8:{0x200 + i:x}::10";
            day.AcceptedWaveServers.Add(ip);
            log.Inbound($"smtp.isp{i}.example", ip, "<>", [realUsers[i % realUsers.Length]], $"14:{i * 4:00}:00");
        }

        return day;
    }
}
