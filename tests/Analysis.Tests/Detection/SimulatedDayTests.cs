using System.Globalization;
using System.Text.Json;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Evaluation;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>The detectors on one simulated day, measured against its truth.</summary>
public sealed class SimulatedDayTests(SimulatedDayFixture day) : IClassFixture<SimulatedDayFixture>
{
    /// <summary>
    /// Detectors whose attackers the committed sample — the classic world — does not have: on it they
    /// must blame nobody, which is still checked, but there is nothing for them to find. The harder
    /// world simulates compromised accounts (docs/simulation.md), where `evaluate` measures the detector;
    /// this test holds every detector to a perfect score, which the harder world is built not to allow.
    /// </summary>
    private static readonly string[] NotYetSimulated = ["compromised_account", "snowshoe"];

    [Fact]
    public void EveryDetectorFindsExactlyTheAttackersOfItsKind()
    {
        var scores = TruthEvaluation.Evaluate(day.TruthLines, day.Findings, DetectorCatalog.Names);

        foreach (var score in scores)
        {
            Assert.True(score.Expected.Count > 0 || NotYetSimulated.Contains(score.Detector), $"the sample has no {score.Detector} to find; regenerate it with every actor");
            Assert.True(score.Missed.Count == 0, $"{score.Detector} missed {string.Join(", ", score.Missed)}");
            Assert.True(score.FalsePositives.Count == 0, $"{score.Detector} wrongly blamed {string.Join(", ", score.FalsePositives)}");
            Assert.Empty(score.OnTypoSenders);
        }
    }

    [Fact]
    public void LegitimateSendersThatMistypedAnAddressAreNeverBlamed()
    {
        var typoSenders = day.TruthLines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(t => t.GetProperty("kind").GetString() == "legitimate" && t.GetProperty("detail").GetProperty("mistyped_recipients").GetInt64() > 0)
            .SelectMany(t => t.GetProperty("subjects").EnumerateArray().Select(s => s.GetString()!))
            .ToList();

        Assert.NotEmpty(typoSenders);
        Assert.DoesNotContain(day.Findings, f => typoSenders.Any(t => TruthEvaluation.Overlap(f.Subject, t)));
    }

    [Fact]
    public void TheOpenRelayIsCriticalAndNamesTheRelayThatDidIt()
    {
        var finding = Assert.Single(day.Findings, f => f.Detector == "open_relay");
        using var evidence = finding.ParseEvidence();

        Assert.Equal("critical", finding.Severity);
        Assert.Equal(["mx1"], evidence.RootElement.GetProperty("relays").EnumerateArray().Select(r => r.GetString()));
        Assert.True(evidence.RootElement.GetProperty("messages").GetInt64() >= 3);
    }

    [Fact]
    public async Task MailForwardedToAUsersOutsideMailboxIsNotRelaying()
    {
        // Deliveries to a foreign domain from outside clients, asked for as ours: the forwards.
        var forwarders = await day.Store.QueryListAsync(
            "SELECT DISTINCT replaceRegexpOne(IPv6NumToString(client_ip), '^::ffff:', '') FROM smtp_events WHERE event = 'delivery' AND orig_rcpt_to LIKE '%@ours.example' AND rcpt_to NOT LIKE '%@ours.example'",
            null, CancellationToken.None);

        Assert.NotEmpty(forwarders);
        Assert.DoesNotContain(day.Findings, f => f.Detector == "open_relay" && forwarders.Any(r => r[0] == f.Subject));
    }

    [Fact]
    public void AFastHarvestShowsWhatItTriedAndWhatItHit()
    {
        var truth = Truth("dha").Single(t => t.GetProperty("detail").GetProperty("shape").GetString() == "fast");
        var finding = day.Findings.Single(f => f.Detector == "dha" && f.Subject == truth.GetProperty("subjects")[0].GetString());
        using var evidence = finding.ParseEvidence();
        var e = evidence.RootElement;

        Assert.Equal("per_ip", e.GetProperty("rule").GetString());
        // Every recipient it tried is either unknown or accepted; the accepted ones are the exposed mailboxes.
        var exposed = truth.GetProperty("detail").GetProperty("exposed").GetArrayLength();
        Assert.Equal(truth.GetProperty("detail").GetProperty("attempts").GetInt64(), e.GetProperty("unknown_recipients").GetInt64() + exposed);
        Assert.Equal(exposed, e.GetProperty("exposed_unlogged").GetInt64() + e.GetProperty("exposed_mailboxes").GetArrayLength());
        Assert.Equal(truth.GetProperty("detail").GetProperty("sessions").GetInt64(), e.GetProperty("sessions").GetInt64());
        Assert.NotEmpty(e.GetProperty("sample_unknown").EnumerateArray());
        Assert.Contains("203.0.113", FindingExplainer.Explain(finding) + finding.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void ASlowHarvestBlamesTheNetworkAndListsEveryMember()
    {
        var truth = Truth("dha").Single(t => t.GetProperty("detail").GetProperty("shape").GetString()!.StartsWith("slow", StringComparison.Ordinal));
        var finding = day.Findings.Single(f => f.Detector == "dha" && f.Subject == truth.GetProperty("subjects")[0].GetString());
        using var evidence = finding.ParseEvidence();
        var e = evidence.RootElement;

        Assert.Equal("network", e.GetProperty("rule").GetString());
        Assert.Equal(
            truth.GetProperty("detail").GetProperty("members").EnumerateArray().Select(m => m.GetString()).Order(StringComparer.Ordinal),
            e.GetProperty("members").EnumerateArray().Select(m => m.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(truth.GetProperty("detail").GetProperty("attempts").GetInt64(), e.GetProperty("unknown_attempts").GetInt64());
        // No member is blamed on its own: each tried too few addresses to tell it from a typo.
        Assert.DoesNotContain(day.Findings, f => f.Detector == "dha" && e.GetProperty("members").EnumerateArray().Any(m => m.GetString() == f.Subject));
    }

    [Fact]
    public void ABotnetSharingOneDictionaryIsBlamedBotByBot()
    {
        var truth = Truth("dha").Single(t => t.GetProperty("detail").GetProperty("shape").GetString() == "botnet_dictionary");
        var bots = truth.GetProperty("subjects").EnumerateArray().Select(s => s.GetString()!).Order(StringComparer.Ordinal).ToList();
        var blamed = day.Findings.Where(f => f.Detector == "dha" && bots.Contains(f.Subject)).ToList();

        Assert.Equal(bots, blamed.Select(f => f.Subject).Order(StringComparer.Ordinal));
        foreach (var finding in blamed)
        {
            using var evidence = finding.ParseEvidence();
            var e = evidence.RootElement;
            Assert.Equal("shared_dictionary", e.GetProperty("rule").GetString());
            Assert.Equal(bots.Count, e.GetProperty("member_count").GetInt64());
            Assert.Equal(bots, e.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
            // Every bot tried at least one word of the shared dictionary the evidence names.
            Assert.NotEmpty(e.GetProperty("sample_unknown").EnumerateArray());
        }
    }

    [Fact]
    public void RelayProbesAreClassifiedByTheirShape()
    {
        foreach (var truth in Truth("relay_probe"))
        {
            var finding = day.Findings.Single(f => f.Detector == "relay_probe" && f.Subject == truth.GetProperty("subjects")[0].GetString());
            using var evidence = finding.ParseEvidence();
            var types = evidence.RootElement.GetProperty("probe_types").EnumerateArray().Select(t => t.GetString()).ToList();

            Assert.Contains("percent_hack", types);
            Assert.Contains("quoted", types);
            Assert.Contains("source_route", types);
            Assert.Contains(truth.GetProperty("detail").GetProperty("helo").GetString(), evidence.RootElement.GetProperty("helos").EnumerateArray().Select(h => h.GetString()));
            Assert.Contains(truth.GetProperty("detail").GetProperty("helo").GetString()!.StartsWith('[') ? "ip_literal_helo" : "relay_test_address", types);
        }
    }

    [Fact]
    public void SpoofingNamesTheForgedSenderAndWhetherItIsALookAlike()
    {
        foreach (var truth in Truth("spoofing"))
        {
            var finding = day.Findings.Single(f => f.Detector == "spoofing" && f.Subject == truth.GetProperty("subjects")[0].GetString());
            using var evidence = finding.ParseEvidence();

            Assert.Contains(truth.GetProperty("detail").GetProperty("mail_from").GetString(), evidence.RootElement.GetProperty("forged_senders").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(truth.GetProperty("detail").GetProperty("look_alike").GetBoolean() ? "look_alike" : "own_domain", evidence.RootElement.GetProperty("rule").GetString());
        }
    }

    [Fact]
    public void BackscatterListsTheUsersItWasAimedAtAndLeavesGenuineBouncesAlone()
    {
        var truth = Truth("backscatter").Single();
        var finding = day.Findings.Single(f => f.Detector == "backscatter");
        using var evidence = finding.ParseEvidence();

        Assert.Equal(truth.GetProperty("subjects")[0].GetString(), finding.Subject);
        Assert.Equal(
            truth.GetProperty("detail").GetProperty("targets").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal),
            evidence.RootElement.GetProperty("targets").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal));
        // The provider that bounced mail our users really sent is in the truth as legitimate and not blamed.
        var genuine = day.TruthLines.Select(l => JsonDocument.Parse(l).RootElement)
            .Single(t => t.GetProperty("kind").GetString() == "legitimate" && t.GetProperty("detail").GetProperty("sender").GetString() == "genuine_bounces");
        Assert.DoesNotContain(day.Findings, f => f.Subject == genuine.GetProperty("subjects")[0].GetString());
    }

    [Fact]
    public void WhenOurRelayBouncesForgedMailTheClientAndTheRelayAreNamed()
    {
        var truth = Truth("bounce_source").Single();
        var finding = day.Findings.Single(f => f.Detector == "bounce_source");
        using var evidence = finding.ParseEvidence();
        var e = evidence.RootElement;

        Assert.Equal(truth.GetProperty("subjects")[0].GetString(), finding.Subject);
        // The legacy domain's MX, the Cisco appliance, is the one that accepts and bounces.
        Assert.Equal(["esa1"], e.GetProperty("relays").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(truth.GetProperty("detail").GetProperty("ndrs").GetInt64(), e.GetProperty("notifications").GetInt64());
        Assert.Subset(
            truth.GetProperty("detail").GetProperty("forged_senders").EnumerateArray().Select(s => s.GetString()).ToHashSet(),
            e.GetProperty("bounced_to").EnumerateArray().Select(s => s.GetString()).ToHashSet());
        Assert.All(e.GetProperty("undeliverable_recipients").EnumerateArray(), r => Assert.EndsWith("@legacy.ours.example", r.GetString(), StringComparison.Ordinal));
        // The notifications themselves leave from the relay (no client): they are not an open relay.
        Assert.DoesNotContain(day.Findings, f => f.Detector == "open_relay" && f.Subject == finding.Subject);
    }

    [Fact]
    public async Task DetectingADayAgainReplacesItsFindings()
    {
        var before = await CountAsync(day.Store);

        var runs = await SimulatedDayFixture.DetectAsync(day.Store);

        Assert.Equal(before, await CountAsync(day.Store));
        Assert.Equal(day.Findings.Count, runs.Sum(r => r.Findings));
        Assert.Equal(day.Findings.Count, day.Findings.Select(f => (f.Day, f.Detector, f.Subject)).Distinct().Count());
    }

    [Fact]
    public void EveryFindingCarriesItsTimesAndItsRule()
    {
        foreach (var finding in day.Findings)
        {
            using var evidence = finding.ParseEvidence();
            Assert.False(string.IsNullOrEmpty(evidence.RootElement.GetProperty("rule").GetString()), finding.Detector);
            Assert.True(finding.FirstSeen <= finding.LastSeen, finding.Subject);
            Assert.Equal(SimulatedDayFixture.Day, DateOnly.FromDateTime(finding.LastSeen));
            Assert.True(finding.Events > 0);
        }
    }

    private IEnumerable<JsonElement> Truth(string kind) =>
        day.TruthLines.Select(l => JsonDocument.Parse(l).RootElement).Where(t => t.GetProperty("kind").GetString() == kind);

    private static async Task<long> CountAsync(IClickHouseStore store) =>
        long.Parse((await store.QueryScalarAsync("SELECT count() FROM findings", CancellationToken.None))!, CultureInfo.InvariantCulture);
}
