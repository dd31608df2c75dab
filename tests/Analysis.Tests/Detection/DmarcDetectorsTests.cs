using System.Text.Json;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store.Vocabulary;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// <c>dmarc_forgery</c> and <c>outbound_auth_failure</c> on the committed simulated day: its relays' logs, the three
/// receivers' DMARC reports about it (data/samples/simulated/dmarc) and its truth.
/// </summary>
public sealed class DmarcDetectorsTests(SimulatedDayFixture day) : IClassFixture<SimulatedDayFixture>
{
    private List<(string Kind, string Subject, JsonElement Detail)> Truth() =>
        [.. day.TruthLines.Select(l => JsonDocument.Parse(l).RootElement).Select(t => (t.GetProperty("kind").GetString()!, t.GetProperty("subjects")[0].GetString()!, t.GetProperty("detail")))];

    [Fact]
    public void EveryForgerIsNamedHighWhenItAlsoHitOurRelaysAndMediumWhenSeenOnlyElsewhere()
    {
        var forgers = Truth().Where(t => t.Kind == DetectorNames.DmarcForgery).ToList();
        var findings = day.Findings.Where(f => f.Detector == DetectorNames.DmarcForgery).ToList();

        Assert.Equal(forgers.Select(f => f.Subject).Order(StringComparer.Ordinal), findings.Select(f => f.Subject).Order(StringComparer.Ordinal));
        Assert.Contains(forgers, f => f.Detail.GetProperty("also_hit_our_relays").GetBoolean());
        Assert.Contains(forgers, f => !f.Detail.GetProperty("also_hit_our_relays").GetBoolean());
        foreach (var forger in forgers)
        {
            var finding = findings.Single(f => f.Subject == forger.Subject);
            using var evidence = finding.ParseEvidence();
            var both = forger.Detail.GetProperty("also_hit_our_relays").GetBoolean();
            Assert.Equal((both ? "high" : "medium", both ? "both_sides" : "elsewhere"), (finding.Severity, evidence.RootElement.GetProperty("rule").GetString()));
            Assert.Equal(forger.Detail.GetProperty("messages").GetInt64(), (long)finding.Events);
            Assert.Equal(both, evidence.RootElement.GetProperty("relay_events").GetInt64() > 0);
            Assert.Contains(both ? "the same address hit our relays that day" : "it never hit our relays that day", FindingExplainer.Explain(finding), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ForwardersThatKeepOurDkimSignatureAndOurOwnRelaysAreNeverNamedAsForgers()
    {
        var innocent = Truth().Where(t => t.Kind == "legitimate" && t.Detail.GetProperty("sender").GetString() == "dmarc_forwarder").Select(t => t.Subject)
            .Concat(SimulatedDayFixture.Estate.RelayAddresses!).ToList();

        Assert.Equal(2 + 5, innocent.Count);
        Assert.DoesNotContain(day.Findings, f => innocent.Contains(f.Subject) && f.Detector != DetectorNames.OutboundAuthFailure);
    }

    [Fact]
    public void TheRelayWhoseDkimKeyBrokeIsNamedWithTheCheckThatFailedAndHowMuch()
    {
        var broken = Assert.Single(Truth(), t => t.Kind == DetectorNames.OutboundAuthFailure);
        var finding = Assert.Single(day.Findings, f => f.Detector == DetectorNames.OutboundAuthFailure);
        using var evidence = finding.ParseEvidence();

        Assert.Equal(broken.Subject, finding.Subject);
        Assert.Equal("medium", finding.Severity);
        Assert.Equal("dkim", evidence.RootElement.GetProperty("rule").GetString());
        Assert.Equal(broken.Detail.GetProperty("messages").GetInt64(), evidence.RootElement.GetProperty("failing").GetInt64());
        Assert.Equal(broken.Detail.GetProperty("of_messages").GetInt64(), evidence.RootElement.GetProperty("messages").GetInt64());
        Assert.Equal(
            $"{broken.Detail.GetProperty("messages").GetInt64()} of our {broken.Detail.GetProperty("of_messages").GetInt64()} message(s) from this address failed DKIM at Bigmail Example; 0 failed DMARC",
            FindingExplainer.Explain(finding));
    }

    [Fact]
    public async Task WithoutOurRelaysPublicAddressesConfiguredTheirMailIsNobodysAndNothingIsNamedForIt()
    {
        await SimulatedDayFixture.DetectAsync(day.Store, new EstateSettings());
        var findings = await Finding.ReadAsync(day.Store, SimulatedDayFixture.Day, SimulatedDayFixture.Day, CancellationToken.None);

        Assert.DoesNotContain(findings, f => f.Detector == DetectorNames.OutboundAuthFailure);
        Assert.DoesNotContain(findings, f => SimulatedDayFixture.Estate.RelayAddresses!.Contains(f.Subject));
        Assert.Equal(
            day.Findings.Where(f => f.Detector == DetectorNames.DmarcForgery).Select(f => f.Subject).Order(StringComparer.Ordinal),
            findings.Where(f => f.Detector == DetectorNames.DmarcForgery).Select(f => f.Subject).Order(StringComparer.Ordinal));
    }
}
