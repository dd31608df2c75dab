using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// The hand-built harder day (<see cref="HandBuiltHarderDay"/>: lines written by us, not the simulator): a
/// harvester that uses the null sender, a backscatter wave refused at RCPT, a wave of bounces accepted for
/// real users, a newsletter mailing a stale list from a provider's pool, and a stolen login. Each must be
/// told apart as docs/detectors.md says; none of the innocent servers, nor the newsletter, may be listed.
/// </summary>
public sealed class BackscatterWaveTests
{
    private static readonly DateOnly Day = HandBuiltHarderDay.Day;

    private static readonly string[] Ours = HandBuiltHarderDay.Ours;

    private const string Harvester = HandBuiltHarderDay.Harvester;

    private const string NamelessGuesser = HandBuiltHarderDay.NamelessGuesser;

    [Fact]
    public async Task TheWavesAreCampaignsOfTheirDomainsAndOnlyTheNullSenderHarvesterIsAHarvester()
    {
        var log = HandBuiltHarderDay.Build();
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

        // The stolen login is a compromised account, named by its login with the client it used; nobody else is.
        var compromised = Assert.Single(findings, f => f.Detector == "compromised_account");
        Assert.Equal(HandBuiltHarderDay.CompromisedLogin, compromised.Subject);
        using (var evidence = compromised.ParseEvidence())
        {
            Assert.Equal([HandBuiltHarderDay.CompromisedClient], evidence.RootElement.GetProperty("clients").EnumerateArray().Select(c => c.GetString()));
        }

        // Only the wave rule and the compromised account speak of the others: no finding names a bouncing server or the newsletter's pool.
        var innocent = log.RefusedWaveServers.Concat(log.AcceptedWaveServers).Concat(log.NewsletterPool).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(findings, f => innocent.Contains(f.Subject));

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

    private static string? Rule(Finding finding)
    {
        using var evidence = finding.ParseEvidence();
        return evidence.RootElement.GetProperty("rule").GetString();
    }
}
