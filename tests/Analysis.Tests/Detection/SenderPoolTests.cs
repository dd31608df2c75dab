using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// dha's <c>per_ip</c> judges an address of a sender pool (a /24 under one reverse-DNS domain) with its
/// pool: a newsletter whose worst slice of a stale list is mostly unknown is not a harvester while the
/// pool's mail mostly lands, but is when the whole pool's is mostly unknown; a harvester with a name of
/// its own inside the same /24 is judged alone.
/// </summary>
public sealed class SenderPoolTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    [Fact]
    public async Task APoolAddressWithAStaleSliceIsJudgedWithItsPool()
    {
        var log = new PostfixLog { Day = Day };
        // The worst slice: 14 unknown against 10 delivered (58 %); the pool's three others 6 against 20.
        log.Newsletter("o0.esp-pool.example", "192.0.2.100", "news@letters.example", Stale(0, 14), 10, "11:00:00");
        for (var i = 1; i < 4; i++)
        {
            log.Newsletter($"o{i}.esp-pool.example", $"192.0.2.{100 + i}", "news@letters.example", Stale(i, 6), 20, $"11:{i * 5:00}:00");
        }

        // A harvester in the same /24 under a name of its own.
        log.Refused("dsl-200.isp.example", "192.0.2.200", "ESMTP", "x@isp.example", [.. Enumerable.Range(0, 14).Select(n => $"guess{n}@ours.example")], "12:00:00");

        Assert.Equal(["192.0.2.200"], await PerIpSubjectsAsync(log));
    }

    [Fact]
    public async Task APoolWhoseMailIsMostlyUnknownIsNotExcused()
    {
        var log = new PostfixLog { Day = Day };
        for (var i = 0; i < 4; i++)
        {
            log.Newsletter($"o{i}.esp-pool.example", $"192.0.2.{100 + i}", "news@letters.example", Stale(i, 14), 5, $"11:{i * 5:00}:00");
        }

        Assert.Equal(["192.0.2.100", "192.0.2.101", "192.0.2.102", "192.0.2.103"], await PerIpSubjectsAsync(log));
    }

    private static string? Rule(Finding finding)
    {
        using var evidence = finding.ParseEvidence();
        return evidence.RootElement.GetProperty("rule").GetString();
    }

    private static string[] Stale(int member, int count) => [.. Enumerable.Range(0, count).Select(n => $"gone{member}x{n}@ours.example")];

    private static async Task<List<string>> PerIpSubjectsAsync(PostfixLog log)
    {
        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);
        return [.. findings.Where(f => f.Detector == "dha" && Rule(f) == "per_ip").Select(f => f.Subject).Order(StringComparer.Ordinal)];
    }
}
