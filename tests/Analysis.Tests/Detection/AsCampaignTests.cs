using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Evaluation;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// dha's <c>as_campaign</c> rule: a harvest spread thin over many /24s of one autonomous system is one campaign once
/// network context says whose networks they are; the same number of unrelated legitimate senders in one big AS,
/// each with a stale address or two, is not; and without context nothing changes. Days built by hand in Postfix's
/// wording (<see cref="PostfixLog"/>), the networks from a CSV of our own.
/// </summary>
public sealed class AsCampaignTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    // Two benchmark /16s (RFC 2544), each one invented AS: a cloud provider and a big webmail operator.
    private const string ContextCsv = """
        network,asn,organisation,country
        198.18.0.0/16,64506,Benchmark Cloud Example,US
        198.19.0.0/16,64507,Big Webmail Example,US
        """;

    private static readonly string[] Guesses =
    [
        "admin", "info", "sales", "office", "contact", "support", "billing", "accounts", "jobs", "marketing", "webmaster", "help",
        "service", "team", "mail", "news", "finance", "orders", "shop", "press", "legal", "hr", "it", "ceo",
        "anna", "bruno", "carla", "dieter", "emma", "frank", "greta", "hans", "ines", "jonas", "karin", "lukas",
        "marta", "nils", "olga", "paul", "rosa", "sven", "tina", "uwe", "vera", "willi", "xenia", "yann",
    ];

    /// <summary>
    /// 12 addresses in six /24s of one cloud AS, two per /24, each trying four words of one dictionary split between
    /// them (no word twice): below per_ip (10), the network rule (3 members a /24) and the shared dictionary (no
    /// word shared) — invisible until the AS adds them up.
    /// </summary>
    /// <param name="inTheFirst">Members in the first /24 (the network rule counts a /24 of three).</param>
    /// <param name="wordsEach">Words each member tries.</param>
    private static PostfixLog SpreadHarvest(int inTheFirst = 2, int wordsEach = 4)
    {
        var log = new PostfixLog { Day = Day };
        var word = 0;
        for (var network = 0; network < 6; network++)
        {
            for (var member = 0; member < (network == 0 ? inTheFirst : 2); member++)
            {
                var ip = $"198.18.{10 + network}.{20 + member * 7}";
                log.Refused("unknown", ip, "ESMTP", $"x{network}{member}@freemail.example", [.. Guesses.Skip(word).Take(wordsEach).Select(w => $"{w}@ours.example")], $"{8 + network:00}:{member * 20 + 5:00}:00");
                word += wordsEach;
            }
        }

        return log;
    }

    /// <summary>
    /// 12 organisations' servers in six /24s of one big webmail AS, two per /24, each sending one message that reached a
    /// colleague of ours and missed three addresses that have left (75 % unknown, 36 in all); and three people who
    /// wrote only to one departed colleague. The same AS, /24s, senders and count of unknown recipients as the harvest.
    /// </summary>
    private static PostfixLog UnrelatedSenders()
    {
        var log = new PostfixLog { Day = Day };
        for (var network = 0; network < 6; network++)
        {
            for (var member = 0; member < 2; member++)
            {
                var sender = network * 2 + member;
                log.Newsletter($"out{member}.org{sender}.example", $"198.19.{10 + network}.{20 + member * 7}", $"someone@org{sender}.example",
                    [.. Enumerable.Range(0, 3).Select(n => $"left{sender}.person{n}@ours.example")], 1, $"{8 + network:00}:{member * 20 + 5:00}:00");
            }
        }

        for (var person = 0; person < 3; person++)
        {
            log.Refused($"mail{person}.webmail.example", $"198.19.{20 + person}.5", "ESMTP", $"friend{person}@webmail.example", ["jane.former@ours.example"], $"15:{person:00}:00");
        }

        return log;
    }

    [Fact]
    public async Task AHarvestSpreadOverSixNetworksOfOneAsIsOneCampaign()
    {
        await using var store = await TestEngine.OpenAsync();
        await SpreadHarvest().IngestIntoAsync(store);
        await LoadContextAsync(store);

        var dha = await DetectAsync(store);

        var campaign = Assert.Single(dha);
        Assert.Equal("AS64506", campaign.Subject);
        using var evidence = campaign.ParseEvidence();
        var e = evidence.RootElement;
        Assert.Equal("as_campaign", e.GetProperty("rule").GetString());
        Assert.Equal("Benchmark Cloud Example", e.GetProperty("organisation").GetString());
        Assert.Equal(48, e.GetProperty("unknown_recipients").GetInt64());
        Assert.Equal(12, e.GetProperty("member_count").GetInt64());
        Assert.Equal(12, e.GetProperty("members").GetArrayLength());
        Assert.Equal(["198.18.10.0/24", "198.18.11.0/24", "198.18.12.0/24", "198.18.13.0/24", "198.18.14.0/24", "198.18.15.0/24"],
            e.GetProperty("networks").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(
            "one harvest over 6 networks of AS64506 Benchmark Cloud Example, US: 48 unknown recipients from 12 IPs that never had a message delivered (198.18.10.0/24, 198.18.11.0/24, 198.18.12.0/24, …) over 1 day(s); 100 % of what they tried",
            FindingExplainer.Explain(campaign));
    }

    [Fact]
    public async Task ThreeMembersInOneNetworkThatAddUpToTooLittleForTheNetworkRuleStayInTheCampaign()
    {
        // Three in the first /24 make it a network of harvesters, but their 9 unknown recipients are too few for the
        // network rule (20): no other rule names them, so they are the AS campaign's like the rest.
        await using var store = await TestEngine.OpenAsync();
        await SpreadHarvest(inTheFirst: 3, wordsEach: 3).IngestIntoAsync(store);
        await LoadContextAsync(store);

        var campaign = Assert.Single(await DetectAsync(store));

        Assert.Equal("AS64506", campaign.Subject);
        using var evidence = campaign.ParseEvidence();
        Assert.Equal(13, evidence.RootElement.GetProperty("member_count").GetInt64());
        Assert.Contains("198.18.10.34", evidence.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task TheBlocklistTakesTheCampaignsMembersNeverTheAs()
    {
        await using var store = await TestEngine.OpenAsync();
        await SpreadHarvest().IngestIntoAsync(store);
        await LoadContextAsync(store);
        var members = Assert.Single(await DetectAsync(store)).Members();

        var update = await new BlocklistUpdater(store, new BlocklistSettings { MinimumScore = null }, new EstateSettings { ProtectedDomains = ["ours.example"] }, TimeProvider.System)
            .UpdateAsync(Day, CancellationToken.None);

        Assert.Equal(12, members.Count);
        Assert.Equal(members.Order(StringComparer.Ordinal), update.Listed.Concat(update.Review).Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.All(update.Listed.Concat(update.Review), e => Assert.StartsWith("dha: one harvest over 6 networks of AS64506", e.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutContextTheSpreadHarvestIsNotACampaign()
    {
        await using var store = await TestEngine.OpenAsync();
        await SpreadHarvest().IngestIntoAsync(store);

        Assert.Empty(await DetectAsync(store));
    }

    [Fact]
    public async Task UnrelatedSendersWithStaleAddressesInOneBigAsAreNotACampaign()
    {
        await using var store = await TestEngine.OpenAsync();
        await UnrelatedSenders().IngestIntoAsync(store);
        await LoadContextAsync(store);

        // Each of the twelve tried mostly unknown recipients; what tells them from the harvest is that their mail was delivered.
        var unknownShares = await store.QueryListAsync(
            $"SELECT {Sql.ClientIp} AS ip, countIf(event = 'rcpt_reject') / countIf(event IN ('rcpt_reject', 'delivery')) FROM smtp_events WHERE startsWith(ip, '198.19.1') GROUP BY ip",
            null,
            CancellationToken.None);
        Assert.Equal(12, unknownShares.Count);
        Assert.All(unknownShares, r => Assert.Equal("0.75", r[1]));
        Assert.Empty(await DetectAsync(store));
    }

    [Fact]
    public async Task ServersBouncingTwoForgedAddressesInOneSessionAreNotProbers()
    {
        // A backscatter wave's servers in the cloud AS, each bouncing two made-up addresses of ours in one transaction
        // (mail=1 for two recipients: not bounce-shaped to the session count), with no mail delivered in the window.
        var log = new PostfixLog { Day = Day };
        for (var server = 0; server < 12; server++)
        {
            log.Refused($"mx{server}.receiver{server}.example", $"198.18.{30 + server / 2}.{40 + server}", "ESMTP", "<>",
                [$"qx{server}a7@ours.example", $"zz{server}b9@ours.example"], $"{10 + server / 2:00}:{server * 4:00}:00");
        }

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        await LoadContextAsync(store);

        Assert.Empty(await DetectAsync(store));
    }

    [Fact]
    public async Task ServersAutoReplyingToForgedSendersAreNotProbers()
    {
        // The same wave's servers that answer with an auto-reply from postmaster@ instead of the null sender: to the
        // made-up senders the spam run forged (letters and digits), never a guessed name.
        var log = new PostfixLog { Day = Day };
        for (var server = 0; server < 12; server++)
        {
            log.Refused($"mx{server}.receiver{server}.example", $"198.18.{30 + server / 2}.{40 + server}", "ESMTP", $"postmaster@receiver{server}.example",
                [$"jsmith{server + 10}@ours.example", $"anna{server + 1200}@ours.example"], $"{10 + server / 2:00}:{server * 4:00}:00");
        }

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        await LoadContextAsync(store);

        Assert.Empty(await DetectAsync(store));
    }

    [Fact]
    public async Task TheCampaignFindsItsMembersAgainstTheTruth()
    {
        await using var store = await TestEngine.OpenAsync();
        await SpreadHarvest().IngestIntoAsync(store);
        await LoadContextAsync(store);
        var findings = await DetectAsync(store);
        string[] truth = ["""{"kind":"dha","subjects":["198.18.10.20","198.18.15.27"],"detail":{"shape":"as_spread"}}""", """{"kind":"legitimate","subjects":["198.18.99.1"],"detail":{"sender":"webmail"}}"""];

        var score = Assert.Single(TruthEvaluation.Evaluate(truth, findings, ["dha"]));
        var shapes = TruthEvaluation.EvaluateShapes(truth, findings, ["dha"]);

        Assert.Empty(score.Missed);
        Assert.Empty(score.FalsePositives);
        Assert.Empty(Assert.Single(shapes, s => s.Shape == "as_spread").Missed);
        Assert.Empty(Assert.Single(shapes, s => s.Shape == "webmail").Named);
    }

    private static async Task LoadContextAsync(IClickHouseStore store) =>
        await new NetworkContextStore(store).ReplaceAsync(NetworkContextCsv.Read(new StringReader(ContextCsv), "ours.csv"), "csv", TimeProvider.System, CancellationToken.None);

    private static async Task<List<Finding>> DetectAsync(IClickHouseStore store)
    {
        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        return [.. (await Finding.ReadAsync(store, Day, Day, CancellationToken.None)).Where(f => f.Detector == "dha")];
    }
}
