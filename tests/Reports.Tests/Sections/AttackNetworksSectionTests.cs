using System.Globalization;
using System.Text.Json;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Reports.Charts;
using RelayWatch.Reports.Rendering;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests.Sections;

/// <summary>
/// "Where the attacks came from": the addresses the day's findings blame, by the network and country behind them,
/// on the committed sample day with its network context; and one sentence when context is off.
/// </summary>
public sealed class AttackNetworksSectionTests(SampleDayFixture sample) : IClassFixture<SampleDayFixture>
{
    [Fact]
    public async Task EachNetworksAddressesAreTheBlamedAddressesThatReachedUsLookedUpOneByOne()
    {
        var section = sample.Report.AttackNetworks ?? throw new InvalidOperationException("the sample day has network context loaded");

        // Worked out apart from the section's SQL: the findings read back, their addresses (subject or members), less
        // backscatter's and our own relays', kept when the address has a row that day, looked up one by one.
        var findings = await Finding.ReadAsync(sample.Store, SampleDayFixture.Day, SampleDayFixture.Day, CancellationToken.None);
        var blamed = findings
            .Where(f => f.Detector is not ("backscatter" or "outbound_auth_failure"))
            .SelectMany(Addresses)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var seen = (await sample.Store.QueryListAsync(
            $"SELECT DISTINCT {Sql.ClientIp} FROM smtp_events WHERE toDate(ts) = '2026-11-24'", null, CancellationToken.None)).Select(r => r[0]).ToHashSet(StringComparer.Ordinal);
        var attackers = blamed.Where(seen.Contains).ToList();
        var context = await new NetworkContextStore(sample.Store).LookupAsync(attackers, CancellationToken.None);
        var perAs = attackers.GroupBy(a => context.TryGetValue(a, out var c) ? c.Asn : 0u).ToDictionary(g => g.Key, g => (long)g.Count());

        Assert.True(attackers.Count > 50, "the sample day has its harvesters, probes, spoofers and bots");
        Assert.Equal(attackers.Count, section.Addresses);
        Assert.Equal(perAs.OrderByDescending(p => p.Value).Take(3).Select(p => p.Value), section.Networks.Take(3).Select(n => n.Addresses));
        Assert.All(section.Networks, n => Assert.Equal(perAs[n.Asn], n.Addresses));
        Assert.Equal(section.Networks.Select(n => n.Addresses).OrderDescending(), section.Networks.Select(n => n.Addresses));
        Assert.Equal(Math.Min(perAs.Count, 10), section.Networks.Count);
        Assert.Equal("Residential Broadband Example", section.Networks.Single(n => n.Asn == 64505).Organisation);
    }

    [Fact]
    public void TheSectionHasATableAndABarChartOfTheNetworks()
    {
        var chart = ReportCharts.AttackNetworks(sample.Report) ?? throw new InvalidOperationException("a chart is drawn when there are networks");
        var markdown = MarkdownRenderer.Render(ReportDocumentBuilder.Build(sample.Report, [chart]), [chart], "charts");
        var top = sample.Report.AttackNetworks!.Networks[0];

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], chart.Png.Take(4));
        Assert.Contains("## 8\\. Where the attacks came from", markdown, StringComparison.Ordinal);
        Assert.Contains($"| AS{top.Asn} | {top.Organisation} | {top.Country} | {top.Addresses.ToString("N0", CultureInfo.InvariantCulture)} |", markdown, StringComparison.Ordinal);
        Assert.Contains("charts/attack-networks.png", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutContextTheReportSaysSoOnce()
    {
        await using var store = await TestEngine.OpenAsync();
        var log = new PostfixLog { Day = SampleDayFixture.Day };
        log.Refused("unknown", "203.0.113.9", "ESMTP", "x@example.net", [.. Enumerable.Range(0, 12).Select(n => $"guess{n}@ours.example")], "10:00:00");
        await log.IngestIntoAsync(store);
        await new DetectionRunner(store, new Analysis.Estate.EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .RunAsync(SampleDayFixture.Day, SampleDayFixture.Day, null, CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, SampleDayFixture.Day);
        var html = HtmlRenderer.Render(ReportDocumentBuilder.Build(report, ReportCharts.Render(report)), ReportCharts.Render(report));

        Assert.Null(report.AttackNetworks);
        Assert.Null(ReportCharts.AttackNetworks(report));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(JsonRenderer.Render(report)).RootElement.GetProperty("attackNetworks").ValueKind);
        Assert.Equal(2, html.Split("Network context is off: load MaxMind ASN and Country databases").Length);
    }

    private static IEnumerable<string> Addresses(Finding finding)
    {
        if (Subjects.ParseNetwork(finding.Subject) is { } network && network.PrefixLength is 32 or 128)
        {
            return [finding.Subject];
        }

        using var evidence = finding.ParseEvidence();
        return evidence.RootElement.TryGetProperty("members", out var members)
            ? [.. members.EnumerateArray().Select(m => m.GetString()!)]
            : [];
    }
}
