using System.Net;
using System.Text.Json;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Simulation.Actors;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation.Tests;

/// <summary>
/// The harder world's shapes (issue 17), each written by every relay vendor and read back as ingest
/// reads it, against their truth: a backscatter wave's innocent servers (null-sender and auto-reply
/// bounces, refused to made-up addresses and delivered to real ones), the messy legitimate senders,
/// snowshoe spam, the very slow harvest and the compromised account.
/// </summary>
public sealed class HarderWorldTests : IDisposable
{
    private const int Seed = 5;

    /// <summary>A Tuesday: the weekday-only senders (the stale-list newsletter, the partners, the SaaS platforms) write.</summary>
    private static readonly DateOnly Day = new(2026, 11, 24);

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-harder-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("mx1")]
    [InlineData("mx2")]
    [InlineData("esa1")]
    [InlineData("mx4")]
    [InlineData("EDGE1")]
    public void EveryRelayWritesEveryShapeOfTheHarderWorldAsItsTruthSays(string relay)
    {
        var log = new SimLog(MxRouting.Pinned(relay, Seed, Day));
        var estate = new Estate(new Random(Seed), users: 150, Day, 0.2);
        var addresses = new AddressSpace(Seed, Day, 1, slowHarvestIndex: 6);
        IActor[] actors =
        [
            new BackscatterWave(estate, log, addresses, Day, Seed, 16), new MessySenders(estate, log, Seed, 17), new SnowshoeSpam(estate, log, addresses, Day, Seed, 18),
            new VerySlowHarvest(estate, log, addresses, Seed, 19), new RemoteUsers(estate, log, addresses, Day, 1, Seed, 20),
        ];
        var lines = actors.SelectMany(a => a.Sessions(Day).SelectMany(s => s)).Where(l => l.Relay == relay).ToList();
        var truth = actors.SelectMany(a => a.Truth()).ToList();
        var events = Read(lines);

        // A wave's servers: innocent, each sending a few bounces, with the null sender or one of their own, never to anyone else.
        var wave = Assert.Single(truth, t => t.Kind == "backscatter");
        Assert.Equal([estate.Domain], wave.Subjects);
        Assert.True(Detail(wave, "innocent").GetBoolean());
        var bouncers = truth.Where(t => t.Kind == "bouncer").ToList();
        Assert.InRange(bouncers.Count, 30, 200);
        Assert.All(bouncers, b => Assert.True(Detail(b, "innocent").GetBoolean()));
        var servers = bouncers.Select(b => b.Subjects[0]).ToHashSet(StringComparer.Ordinal);
        var fromServers = events.Where(e => servers.Contains(e.ClientIp)).ToList();
        Assert.All(fromServers.Where(e => e.Event is "rcpt_reject" or "message"), e => Assert.True(
            e.MailFrom.Length == 0 || e.MailFrom.StartsWith("MAILER-DAEMON@", StringComparison.Ordinal) || e.MailFrom.StartsWith("postmaster@", StringComparison.Ordinal) || e.MailFrom.Contains('.', StringComparison.Ordinal),
            e.MailFrom));
        Assert.Contains(fromServers, e => e.Event == "rcpt_reject" && e.MailFrom.Length == 0);
        var refused = fromServers.Where(e => e.Event == "rcpt_reject").ToList();
        Assert.All(refused, e => Assert.Equal("user_unknown", e.Reason));
        Assert.Equal(Detail(wave, "refused").GetInt64(), refused.Count);
        Assert.Equal(Detail(wave, "made_up_targets").GetInt64(), refused.Select(e => e.RcptTo).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(
            Detail(wave, "real_targets").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal),
            fromServers.Where(e => e.Event == "delivery").Select(e => (e.OrigRcptTo.Length > 0 ? e.OrigRcptTo : e.RcptTo).ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal));
        // Several of one provider's servers in one /24, now and then.
        Assert.Contains(servers.Where(s => !s.Contains(':', StringComparison.Ordinal)).GroupBy(s => s[..s.LastIndexOf('.')]), g => g.Count() >= 3);

        // Legitimate senders are refused only for their typos and for the stale addresses they still mail.
        var legitimate = truth.Where(t => t.Kind == "legitimate").ToList();
        Assert.Equal(
            ["forwarder", "misconfigured_partner", "remote_user", "saas_as_our_domain", "stale_list_newsletter", "webmail_pool"],
            legitimate.Select(t => Detail(t, "sender").GetString()).Distinct().Order(StringComparer.Ordinal));
        foreach (var sender in legitimate)
        {
            var refusals = events.Count(e => e.Event == "rcpt_reject" && e.ClientIp == sender.Subjects[0]);
            var expected = Detail(sender, "mistyped_recipients").GetInt64() + (sender.Detail.ContainsKey("stale_recipients") ? Detail(sender, "stale_recipients").GetInt64() : 0);
            Assert.True(expected == refusals, $"{sender.Subjects[0]}: {refusals} refusals, {expected} expected");
        }

        Assert.True(legitimate.Where(t => Detail(t, "sender").GetString() == "stale_list_newsletter").Sum(t => Detail(t, "stale_recipients").GetInt64()) >= 5, "the stale list's burst of unknown recipients");
        Assert.Contains(events, e => e.Event == "message" && e.MailFrom.EndsWith("@ours.example", StringComparison.Ordinal) && e.SaslUser.Length == 0
            && legitimate.Any(t => Detail(t, "sender").GetString() == "saas_as_our_domain" && t.Subjects[0] == e.ClientIp));

        // Our SPF record names the SaaS platforms: where the relay runs a policy service (policyd-spf behind
        // Postfix) it logs their pass; no other sender gets a verdict, and the other MTAs log none.
        var platforms = legitimate.Where(t => Detail(t, "sender").GetString() == "saas_as_our_domain").Select(t => t.Subjects[0]).ToHashSet(StringComparer.Ordinal);
        var verdicts = events.Where(e => e.Event == "spf").ToList();
        if (MxRouting.MtaOf(relay) == RelayMta.Postfix)
        {
            Assert.Equal(
                events.Where(e => e.Event == "message" && platforms.Contains(e.ClientIp)).Select(e => e.ClientIp).Distinct().Order(StringComparer.Ordinal),
                verdicts.Select(e => e.ClientIp).Distinct().Order(StringComparer.Ordinal));
            Assert.All(verdicts, e => Assert.Equal("pass", e.Reason));
        }
        else
        {
            Assert.Empty(verdicts);
        }

        // Snowshoe: every address sends and is taken, none is refused; one sender pattern.
        var snowshoe = Assert.Single(truth, t => t.Kind == "snowshoe");
        Assert.Equal("snowshoe", Detail(snowshoe, "shape").GetString());
        Assert.InRange(snowshoe.Subjects.Count, 40, 120);
        var members = snowshoe.Subjects.ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(events, e => e.Event == "rcpt_reject" && members.Contains(e.ClientIp));
        Assert.Equal(members.Order(StringComparer.Ordinal), events.Where(e => e.Event == "delivery" && members.Contains(e.ClientIp)).Select(e => e.ClientIp).Distinct().Order(StringComparer.Ordinal));
        Assert.All(events.Where(e => e.Event == "message" && members.Contains(e.ClientIp)), e => Assert.StartsWith("offers@", e.MailFrom, StringComparison.Ordinal));

        // The very slow harvest: one or two guesses per address, with a sender of its own.
        var harvest = Assert.Single(truth, t => t.Kind == "dha");
        Assert.Equal("very_slow", Detail(harvest, "shape").GetString());
        foreach (var ip in harvest.Subjects)
        {
            var guesses = events.Where(e => e.Event == "rcpt_reject" && e.ClientIp == ip).ToList();
            Assert.InRange(guesses.Count, 0, 2);
            Assert.All(guesses, g => Assert.NotEmpty(g.MailFrom));
        }

        // The compromised account: its login, from addresses it never used, to hundreds of people outside.
        var stolen = Assert.Single(truth, t => t.Kind == "compromised_account");
        var login = stolen.Subjects[0];
        var clients = Detail(stolen, "client_ips").EnumerateArray().Select(c => c.GetString()!).ToHashSet(StringComparer.Ordinal);
        // Every client it names sent as the login (Exchange's logs name the login only in the protocol log's AUTH, which ingest does not keep).
        var spam = events.Where(e => e.Event == "delivery" && e.MailFrom == $"{login}@{estate.Domain}" && clients.Contains(e.ClientIp)).ToList();
        Assert.Equal(clients.Order(StringComparer.Ordinal), spam.Select(e => e.ClientIp).Distinct().Order(StringComparer.Ordinal));
        Assert.All(events.Where(e => e.Event == "message" && clients.Contains(e.ClientIp) && e.SaslUser.Length > 0), e => Assert.Equal(login, e.SaslUser));
        // Sendmail, the appliance and Exchange log one delivery line per next hop, which ingest keeps as one event naming all its recipients.
        Assert.Equal(Detail(stolen, "recipients").GetInt64(), spam.SelectMany(e => e.RcptTo.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // None of them is a home our remote users send from.
        Assert.Empty(legitimate.Where(t => Detail(t, "sender").GetString() == "remote_user").Select(t => t.Subjects[0]).Intersect(clients));
    }

    [Theory]
    [InlineData("mx1")]
    [InlineData("esa1")]
    [InlineData("EDGE1")]
    public void AnAsWideHarvestIsQuietEverywhereButOneProvidersAs(string relay)
    {
        var days = Enumerable.Range(0, 7).Select(Day.AddDays).ToList();
        var log = new SimLog(MxRouting.Pinned(relay, Seed, Day));
        var estate = new Estate(new Random(Seed), users: 150, Day, 0.2);
        var harvest = new AsCampaignHarvest(estate, log, new AddressSpace(Seed, Day, days.Count, slowHarvestIndex: 6), Seed, 22);
        var lines = days.SelectMany(d => harvest.Sessions(d).SelectMany(s => s)).Where(l => l.Relay == relay).ToList();
        var events = Read(lines);
        var truth = harvest.Truth().ToList();
        var provider = SimulatedNetworks.Rows.Where(r => r.Asn == AsCampaignHarvest.Asn).Select(r => IPNetwork.Parse(r.Network)).ToList();

        Assert.InRange(truth.Count, 3, 7);
        Assert.All(truth, t => Assert.Equal(("dha", "as_campaign"), (t.Kind, Detail(t, "shape").GetString())));
        Assert.All(truth, t => Assert.InRange(t.Subjects.Count, 8, 14));
        var members = truth.SelectMany(t => t.Subjects).ToList();
        Assert.All(members, m => Assert.Contains(provider, n => n.Contains(IPAddress.Parse(m))));
        // Spread over the provider's networks (/24s and /48s), a few members in each at most.
        var networks = members.GroupBy(m => m.Contains(':', StringComparison.Ordinal) ? string.Join(':', m.Split(':')[..3]) : m[..m.LastIndexOf('.')]).ToList();
        Assert.True(networks.Count >= 4, $"{networks.Count} networks");
        // Each member tries 3–6 names, with a sender of its own; no name is tried twice in the week, so no word is shared.
        var tried = events.Where(e => e.Event == "rcpt_reject" && members.Contains(e.ClientIp)).ToList();
        Assert.All(tried, e => Assert.Equal("user_unknown", e.Reason));
        Assert.All(tried, e => Assert.NotEmpty(e.MailFrom));
        Assert.All(tried.GroupBy(e => e.ClientIp), g => Assert.InRange(g.Count(), 0, 6));
        Assert.Equal(tried.Count, tried.Select(e => e.RcptTo.ToLowerInvariant()).Distinct().Count());
        Assert.Equal(truth.Sum(t => Detail(t, "attempts").GetInt64()), tried.Count + truth.Sum(t => Detail(t, "exposed").GetArrayLength()));
        Assert.DoesNotContain(events, e => e.Event == "delivery" && members.Contains(e.ClientIp));
    }

    [Fact]
    public void TheClassicWorldHasNoneOfTheHarderShapesAndTheHarderOneHasThemBesideTheClassicOnes()
    {
        var classic = Simulate("classic", SimulationWorld.Classic);
        var harder = Simulate("harder", SimulationWorld.Harder);

        static List<(string Kind, string Shape)> Shapes(SimulationSummary summary) =>
            [.. File.ReadLines(Path.Combine(summary.Output, "truth.jsonl")).Select(l => JsonSerializer.Deserialize<TruthRecord>(l)!)
                .Select(t => (t.Kind, t.Detail.TryGetValue("shape", out var s) ? ((JsonElement)s).GetString()! : t.Detail.TryGetValue("sender", out var k) ? ((JsonElement)k).GetString()! : t.Kind))
                .Distinct()];
        var harderOnly = new[] { ("backscatter", "wave"), ("bouncer", "wave_server"), ("snowshoe", "snowshoe"), ("dha", "very_slow"), ("compromised_account", "compromised_account"), ("legitimate", "webmail_pool") };
        Assert.Empty(Shapes(classic).Intersect(harderOnly));
        Assert.Subset(Shapes(harder).ToHashSet(), Shapes(classic).ToHashSet());
        Assert.Subset(Shapes(harder).ToHashSet(), harderOnly.ToHashSet());
        using var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(harder.Output, "simulation.json")));
        Assert.Equal("harder", recorded.RootElement.GetProperty("world").GetString());
        Assert.StartsWith("relaywatch simulate --world harder ", recorded.RootElement.GetProperty("command").GetString(), StringComparison.Ordinal);
        // The lone server bouncing forged mail is innocent in both worlds.
        Assert.All(
            File.ReadLines(Path.Combine(classic.Output, "truth.jsonl")).Select(l => JsonSerializer.Deserialize<TruthRecord>(l)!).Where(t => t.Kind == "backscatter"),
            t => Assert.True(((JsonElement)t.Detail["innocent"]).GetBoolean()));
    }

    private SimulationSummary Simulate(string name, SimulationWorld world) =>
        new Simulator(new SimulationOptions { Output = Path.Combine(directory, name), Seed = Seed, Days = 1, Start = Day, Scale = 0.01, World = world }).Run(CancellationToken.None);

    private static JsonElement Detail(TruthRecord record, string key) => record.Detail[key] switch
    {
        JsonElement element => element,
        var value => JsonSerializer.SerializeToElement(value),
    };

    /// <summary>The lines as the simulator writes them, file by file, read back by the parser of the format ingest detects for each.</summary>
    private static List<SmtpEvent> Read(IReadOnlyList<SimLine> lines)
    {
        var events = new List<SmtpEvent>();
        foreach (var file in lines.OrderBy(l => l.Time).ThenBy(l => l.Order).GroupBy(SimLog.FileOf))
        {
            List<string> text = [.. SimLog.HeaderOf(file.First()), .. file.Select(SimLog.Format)];
            var format = LogFormats.Detect(text);
            Assert.NotNull(format);
            var parser = LogFormats.CreateParser(format.Value);
            var origin = new LineOrigin(file.Key, null, TimestampContext.Utc(2026));
            foreach (var (line, number) in text.Select((l, i) => (l, i + 1)))
            {
                var result = parser.Parse(line, origin, number);
                Assert.True(result.Outcome != LineOutcome.Unrecognised, $"{file.Key}: {line}");
                events.AddRange(result.Events);
                events.AddRange(parser.TakeReleased());
            }

            events.AddRange(parser.TakeWaiting(file.Key));
        }

        // Addresses as the truth writes them (IPv4 without its ::ffff: prefix).
        return [.. events.Select(e => IPAddress.TryParse(e.ClientIp, out var ip) && ip.IsIPv4MappedToIPv6 ? e with { ClientIp = ip.MapToIPv4().ToString() } : e)];
    }
}
