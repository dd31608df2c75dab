using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// A day built by hand, in Postfix lines written here (not by the simulator), with the shapes that
/// look alike in the unknown-recipient refusals: a harvester that uses the null sender, a backscatter
/// wave refused at RCPT (some of its servers bounce a dozen, a few share a provider's /24), a wave of
/// bounces accepted for real users, and a newsletter mailing a stale list from a provider's pool.
/// Each must be told apart as docs/detectors.md says; none of the innocent servers may be listed.
/// </summary>
public sealed class BackscatterWaveTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private static readonly string[] Ours = ["ours.example", "legacy.example"];

    [Fact]
    public async Task TheWavesAreCampaignsOfTheirDomainsAndOnlyTheNullSenderHarvesterIsAHarvester()
    {
        var log = HandBuiltDay();
        await using var store = await TestEngine.OpenAsync();
        await log.Lines.IngestIntoAsync(store);

        var estate = new EstateSettings { ProtectedDomains = Ours };
        await new DetectionRunner(store, estate, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);

        // dha names the harvesters, whatever sender they use, and none of the bouncing servers or the newsletter's pool.
        Assert.Equal([Harvester, NamelessGuesser], findings.Where(f => f.Detector == "dha").Select(f => f.Subject).Order(StringComparer.Ordinal));

        // Each wave is one finding, about the domain of ours it targets.
        var waves = findings.Where(f => f.Detector == "backscatter" && Rule(f) == "wave").OrderBy(f => f.Subject, StringComparer.Ordinal).ToList();
        Assert.Equal(["legacy.example", "ours.example"], waves.Select(w => w.Subject));

        using (var refused = waves[1].ParseEvidence())
        {
            var e = refused.RootElement;
            Assert.Equal(log.RefusedWaveServers.Count, e.GetProperty("servers").GetInt64());
            Assert.Equal(log.RefusedWaveBounces, e.GetProperty("bounces").GetInt64());
            Assert.Equal(1.0, e.GetProperty("refused_share").GetDouble());
            Assert.Equal(0, e.GetProperty("real_targets").GetInt64());
            Assert.Equal(log.RefusedWaveBounces, e.GetProperty("made_up_targets").GetInt64());
            Assert.Equal(["mx1"], e.GetProperty("relays").EnumerateArray().Select(r => r.GetString()));
            Assert.Contains(e.GetProperty("local_part_shapes").EnumerateArray(), s => s.GetString()!.StartsWith("LDLD", StringComparison.Ordinal));
            Assert.Equal("2026-11-24 09:00:00", e.GetProperty("peak_hour").GetString());
        }

        using (var accepted = waves[0].ParseEvidence())
        {
            var e = accepted.RootElement;
            Assert.Equal(log.AcceptedWaveServers.Count, e.GetProperty("servers").GetInt64());
            Assert.Equal(0, e.GetProperty("refused").GetInt64());
            Assert.Equal(3, e.GetProperty("real_targets").GetInt64());
        }

        Assert.StartsWith("a backscatter wave: ", FindingExplainer.Explain(waves[1]), StringComparison.Ordinal);

        // The blocklist from the day lists the harvester and none of the innocent servers.
        var update = await new BlocklistUpdater(store, new BlocklistSettings { MinimumScore = null }, estate, TimeProvider.System)
            .UpdateAsync(Day, CancellationToken.None);
        Assert.Equal([Harvester, NamelessGuesser], update.Listed.Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.Empty(update.Review);

        // However a model scores a bouncing server of the wave, it is held for an analyst, never listed.
        await store.ExecuteAsync(
            "INSERT INTO ip_scores (day, ip, score, model, reasons) VALUES ('2026-11-24', '198.51.100.30', 0.99, 'gbt-test', ['100% of its messages are bounces'])",
            CancellationToken.None);
        var scored = await new BlocklistUpdater(store, new BlocklistSettings { MinimumScore = 0.95 }, estate, TimeProvider.System)
            .UpdateAsync(Day, CancellationToken.None);
        Assert.DoesNotContain(scored.Listed, e => e.Subject == "198.51.100.30");
        Assert.Contains("everything it sent that day was bounces", Assert.Single(scored.Review, e => e.Subject == "198.51.100.30").Reason, StringComparison.Ordinal);
    }

    private const string Harvester = "203.0.113.66";

    private const string NamelessGuesser = "203.0.113.67";

    private static string? Rule(Finding finding)
    {
        using var evidence = finding.ParseEvidence();
        return evidence.RootElement.GetProperty("rule").GetString();
    }

    /// <summary>The day's lines, and what the test knows of its waves.</summary>
    private sealed record HandBuiltLog(PostfixLog Lines, IReadOnlyList<string> RefusedWaveServers, long RefusedWaveBounces, IReadOnlyList<string> AcceptedWaveServers);

    private static HandBuiltLog HandBuiltDay()
    {
        var log = new PostfixLog();

        // Our own mail: users who write out, and mail delivered in to our real mailboxes.
        log.Inbound("mail.partner.example", "192.0.2.10", "orders@partner.example", ["alice.smith@ours.example", "bob.jones@ours.example", "carol.green@ours.example"], at: "07:00:00");
        log.Inbound("mail.partner.example", "192.0.2.10", "orders@partner.example", ["dora@legacy.example", "ed.king@legacy.example", "fay@legacy.example"], at: "07:05:00");

        // A harvester that uses the null sender: one session, one transaction, a dictionary of recipients.
        log.Refused("unknown", Harvester, "ESMTP", "<>", [.. "admin info sales office support billing webmaster hr jobs contact accounts marketing press help finance".Split(' ').Select(w => w + "@ours.example")], "08:00:00");

        // A bot without reverse DNS that guesses one recipient a session with the null sender: shaped like
        // a bounce, but no receiving MTA is nameless, so it counts as a harvester.
        for (var i = 0; i < 12; i++)
        {
            log.Refused("unknown", NamelessGuesser, "ESMTP", "<>", [$"{"amy bert cleo dina egon finn gina hugo ines jack kai lena".Split(' ')[i]}@ours.example"], $"10:{i * 2:00}:00");
        }

        // A backscatter wave, refused at RCPT: receivers of a spam run that forged made-up senders in our
        // domain bounce one notice per message, each in its own session. One big provider's server bounces
        // a dozen; four servers share another provider's /24; the rest are unrelated.
        var refusedServers = new List<string>();
        var bounces = 0;
        var random = new Random(4711);
        string ForgedLocalPart() => string.Create(CultureInfo.InvariantCulture, $"{(char)('a' + random.Next(26))}{(char)('a' + random.Next(26))}{random.Next(10)}{(char)('a' + random.Next(26))}{random.Next(100, 999)}");
        void Bounce(string host, string ip, string at)
        {
            if (!refusedServers.Contains(ip))
            {
                refusedServers.Add(ip);
            }

            log.Refused(host, ip, "ESMTP", "<>", [$"{ForgedLocalPart()}@ours.example"], at);
            bounces++;
        }

        for (var i = 0; i < 12; i++)
        {
            Bounce("outbound-7.mail.bigprovider.example", "198.51.100.30", $"09:{i * 4:00}:10");
        }

        for (var i = 0; i < 4; i++)
        {
            Bounce($"mx{i}.hosting.example", $"198.51.100.{40 + i}", $"09:{i * 3 + 1:00}:20");
        }

        for (var i = 0; i < 10; i++)
        {
            Bounce($"mail.receiver{i}.example", $"2001:db8:{0x100 + i:x}::25", $"{9 + i / 4:00}:{i * 5 + 2:00}:30");
        }

        // A second wave, of bounces to our real users, accepted: every one from a server of its own.
        var acceptedServers = new List<string>();
        string[] realUsers = ["dora@legacy.example", "ed.king@legacy.example", "fay@legacy.example"];
        for (var i = 0; i < 12; i++)
        {
            var ip = $"2001:db8:{0x200 + i:x}::10";
            acceptedServers.Add(ip);
            log.Inbound($"smtp.isp{i}.example", ip, "<>", [realUsers[i % realUsers.Length]], $"14:{i * 4:00}:00");
        }

        // A newsletter mailing a stale list from its provider's pool: many unknown recipients, but most accepted.
        for (var i = 0; i < 4; i++)
        {
            log.Newsletter($"o{i}.esp-pool.example", $"192.0.2.{100 + i}", "news@letters.example",
                [.. Enumerable.Range(0, 8).Select(n => $"gone{i}{n}@ours.example")], 12, $"11:{i * 5:00}:00");
        }

        return new HandBuiltLog(log, refusedServers, bounces, acceptedServers);
    }
}
