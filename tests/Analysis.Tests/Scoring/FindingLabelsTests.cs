using System.Net;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Scoring;

/// <summary>The table "finding kind → label or no label", on findings written by hand (addresses from the documentation ranges).</summary>
public sealed class FindingLabelsTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private static Finding Finding(string detector, string subject, string evidence) =>
        new(Day, detector, subject, "medium", 0.9, Day.ToDateTime(TimeOnly.MinValue), Day.ToDateTime(TimeOnly.MaxValue), 10, evidence);

    private static List<string> Labelled(IReadOnlyList<IPNetwork> networks) => [.. networks.Select(n => n.ToString())];

    [Fact]
    public void ANetworkHarvestLabelsOnlyTheMembersItNamesNotAPoolBesideThem()
    {
        var finding = Finding("dha", "198.51.100.0/24", """{"rule":"network","members":["198.51.100.7","198.51.100.9"],"unknown_recipients":40}""");

        var (rule, networks) = FindingLabels.Apply(FindingLabels.Table, finding);
        var (before, beforeNetworks) = FindingLabels.Apply(FindingLabels.SubjectsOnly, finding);

        Assert.True(rule.Bad);
        Assert.Equal(["198.51.100.7/32", "198.51.100.9/32"], Labelled(networks));
        Assert.DoesNotContain(networks, n => n.Contains(IPAddress.Parse("198.51.100.50")));
        // Before the table, the whole /24 was bad: a webmail pool's address in it too.
        Assert.True(before.Bad);
        Assert.Contains(beforeNetworks, n => n.Contains(IPAddress.Parse("198.51.100.50")));
    }

    [Fact]
    public void BouncingServersAreInnocentByKind()
    {
        var lone = Finding("backscatter", "203.0.113.25", """{"rule":"unmatched_bounces","bounces":9}""");
        var wave = Finding("backscatter", "ours.example", """{"rule":"wave","servers":120,"sample_servers":["192.0.2.14","2001:db8:77::25"]}""");

        var (loneRule, loneNetworks) = FindingLabels.Apply(FindingLabels.Table, lone);
        var (waveRule, waveNetworks) = FindingLabels.Apply(FindingLabels.Table, wave);

        Assert.False(loneRule.Bad);
        Assert.Equal(["203.0.113.25/32"], Labelled(loneNetworks));
        Assert.False(waveRule.Bad);
        Assert.Equal(["192.0.2.14/32", "2001:db8:77::25/128"], Labelled(waveNetworks));
    }

    [Fact]
    public void AStolenLoginsClientsInNewNetworksAreBadAndItsOwnersHomeIsNot()
    {
        var finding = Finding("compromised_account", "nina.nelson",
            """{"rule":"break_from_history","account":"nina.nelson","new_networks":["198.51.100.0\/24","2001:db8:91a1::\/48"],"clients":["198.51.100.67","2001:db8:91a1:8e96::44e","203.0.113.160"]}""");

        var (rule, networks) = FindingLabels.Apply(FindingLabels.Table, finding);

        Assert.True(rule.Bad);
        Assert.Equal(["198.51.100.67/32", "2001:db8:91a1:8e96::44e/128"], Labelled(networks));
    }

    [Fact]
    public void ASnowshoeCampaignLabelsItsMembersAndItsTemplateNobody()
    {
        var finding = Finding("snowshoe", "mail#.deals#.example", """{"rule":"host_template","members":["192.0.2.80","198.51.100.81"]}""");

        var (rule, networks) = FindingLabels.Apply(FindingLabels.Table, finding);
        var (_, before) = FindingLabels.Apply(FindingLabels.SubjectsOnly, finding);

        Assert.True(rule.Bad);
        Assert.Equal(["192.0.2.80/32", "198.51.100.81/32"], Labelled(networks));
        Assert.Empty(before);
    }

    [Fact]
    public void ADetectorNotInTheTableLabelsItsSubjectBad()
    {
        var (rule, networks) = FindingLabels.Apply(FindingLabels.Table, Finding("tarpit", "192.0.2.9", """{"rule":"slow"}"""));

        Assert.True(rule.Bad);
        Assert.Equal(["192.0.2.9/32"], Labelled(networks));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"rule":"network","members":"198.51.100.7"}""")]
    [InlineData("""{"rule":"network","members":[7, null, "not an address"]}""")]
    [InlineData("[1,2]")]
    public void EvidenceThatCannotBeReadLabelsNobodyRatherThanTheWholeNetwork(string evidence)
    {
        var (rule, networks) = FindingLabels.Apply(FindingLabels.Table, Finding("dha", "198.51.100.0/24", evidence));

        // Unreadable evidence names no rule and no members: dha's finding is still bad, but about nobody, not about the /24.
        Assert.True(rule.Bad);
        Assert.Empty(networks);
    }

    [Fact]
    public void EveryRowOfTheTableIsInTheDocumentation()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFolders.Find("docs", "the documentation"), "scoring.md"));

        foreach (var row in FindingLabels.Table)
        {
            var label = row.Bad ? "bad" : "no label (innocent by kind)";
            Assert.Contains($"| `{row.Detector}` | {(row.Rule is null ? "any" : $"`{row.Rule}`")} | {label} |", text, StringComparison.Ordinal);
        }
    }
}
