using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Analysis.Tests.Detection;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Tests.Scoring;

/// <summary>The feature query on the committed simulated day, checked against what its truth says each actor did.</summary>
public sealed class FeatureQueryTests(SimulatedDayFixture day) : IClassFixture<SimulatedDayFixture>
{
    private async Task<IReadOnlyDictionary<string, IpFeatureRow>> FeaturesAsync()
    {
        var ours = await EstateResolver.ResolveAsync(day.Store, new EstateSettings(), SimulatedDayFixture.Day, CancellationToken.None);
        var rows = new Dictionary<string, IpFeatureRow>(StringComparer.Ordinal);
        await foreach (var row in FeatureQuery.ReadAsync(day.Store, ours, SimulatedDayFixture.Day, CancellationToken.None))
        {
            rows.Add(row.Ip, row);
        }

        return rows;
    }

    [Fact]
    public async Task EveryExternalSenderGetsOneRowAndOursNone()
    {
        var rows = await FeaturesAsync();

        Assert.True(rows.Count > 100, $"only {rows.Count} addresses");
        Assert.DoesNotContain(rows.Keys, ip => ip.StartsWith("10.", StringComparison.Ordinal));
        Assert.All(rows.Values, r => Assert.Equal(FeatureCatalog.All.Count, r.Values.Length));
        Assert.All(rows.Values, r => Assert.All(r.Values, v => Assert.True(float.IsFinite(v) && v >= 0, $"{r.Ip}: {string.Join(", ", r.Values)}")));
    }

    [Fact]
    public async Task AFastHarvesterShowsItsUnknownRecipientsAndItsNetworkDoes()
    {
        var rows = await FeaturesAsync();
        var harvester = TruthSubjects("dha", "fast").Single();

        var row = rows[harvester];

        Assert.True(row["unknown_ratio"] > 0.8, $"unknown ratio {row["unknown_ratio"]}");
        Assert.True(row.Count("recipients") >= 50, $"{row.Count("recipients")} recipients");
        Assert.Contains("unknown", FeatureCatalog.All[FeatureCatalog.IndexOf("unknown_ratio")].Describe(row), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMembersOfASlowHarvestSeeTheirNeighbours()
    {
        var rows = await FeaturesAsync();
        var network = TruthSubjects("dha", "slow_ipv4_24").Concat(TruthSubjects("dha", "slow_ipv6_48")).Single();
        var members = rows.Values.Where(r => r.Network == network).ToList();

        Assert.True(members.Count >= 5, $"{members.Count} members of {network}");
        Assert.All(members, m => Assert.True(m.Count("network_neighbours") == members.Count - 1, $"{m.Ip}: {m.Count("network_neighbours")} neighbours"));
        // The Cisco appliance does not log the HELO; the relays that do show the IP literal.
        Assert.All(members.Where(m => m.Helo.Length > 0), m => Assert.Equal(1, m["helo_ip_literal"]));
        Assert.Contains(members, m => m.Helo.Length > 0);
        Assert.All(members, m => Assert.Equal(1, m["network_unknown_ratio"]));
    }

    [Fact]
    public async Task BigProvidersLookLikeBigProviders()
    {
        var rows = await FeaturesAsync();
        var provider = rows.Values.Where(r => r.Host.EndsWith(".bigmail.example", StringComparison.Ordinal)).MaxBy(r => r["messages"])!;

        Assert.True(provider.Count("messages") >= 5);
        Assert.Equal(0, provider["rdns_missing"]);
        Assert.Equal(0, provider["rdns_dynamic"]);
        Assert.Equal(0, provider["dnsbl_ratio"]);
        Assert.True(provider["tls_share"] > 0.5, $"TLS share {provider["tls_share"]}");
    }

    /// <summary>
    /// Postscreen logs a DNSBL's verdict on every connection, so every bot that met the Postfix relay
    /// carries it; Exim says so only when it refuses a recipient, so there it is the bots refused.
    /// </summary>
    [Fact]
    public async Task SpamBotsCarryTheirBlocklistHitsAndPregreets()
    {
        var rows = await FeaturesAsync();
        var bots = TruthSubjects("spam_botnet", null).Where(rows.ContainsKey).Select(b => rows[b]).ToList();
        var metPostfix = (await day.Store.QueryListAsync("SELECT DISTINCT toString(client_ip) FROM smtp_events WHERE source = 'postfix'", null, CancellationToken.None)).Select(r => r[0]).ToHashSet();
        var refusedByExim = (await day.Store.QueryListAsync("SELECT DISTINCT toString(client_ip) FROM smtp_events WHERE source = 'exim' AND reason = 'rbl'", null, CancellationToken.None)).Select(r => r[0]).ToHashSet();

        Assert.NotEmpty(bots);
        Assert.All(bots.Where(b => metPostfix.Contains(b.Ip) || refusedByExim.Contains(b.Ip)), b => Assert.True(b["dnsbl_ratio"] > 0, $"{b.Ip} not listed"));
        Assert.NotEmpty(refusedByExim);
        Assert.Contains(bots, b => b["pipelining"] > 0);
    }

    private IEnumerable<string> TruthSubjects(string kind, string? shape) =>
        day.TruthLines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(t => t.GetProperty("kind").GetString() == kind
                && (shape is null || (t.GetProperty("detail").TryGetProperty("shape", out var s) && s.GetString() == shape)))
            .SelectMany(t => t.GetProperty("subjects").EnumerateArray().Select(s => s.GetString()!));
}
