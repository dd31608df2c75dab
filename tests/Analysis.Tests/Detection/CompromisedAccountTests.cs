using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// Logins of ours over two weeks, in Postfix submission lines written here: a user whose password was
/// stolen (a few messages a day from home, then one day hundreds to strangers from a network it never
/// used, much of it bounced as spam), and a sender that mails hundreds every day from its usual
/// network. Authentication is no exemption, and a bulk sender's habit is not a break from it.
/// </summary>
public sealed class CompromisedAccountTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    [Fact]
    public async Task AStolenLoginIsBlamedWithItsClientsAndAHabitualBulkSenderIsNot()
    {
        var log = new PostfixLog();
        for (var back = 10; back >= 1; back--)
        {
            log.Day = Day.AddDays(-back);
            for (var m = 0; m < 3; m++)
            {
                log.Submission("home.isp.example", "198.51.100.7", "alice", "alice@ours.example", [($"friend{m}@partner.example", false)], $"1{m}:00:00");
            }

            log.Submission("crm.ours-cloud.example", "192.0.2.150", "newsletter", "news@ours.example", Readers(back), "06:00:00");
        }

        log.Day = Day;
        log.Submission("home.isp.example", "198.51.100.7", "alice", "alice@ours.example", [("friend0@partner.example", false)], "08:00:00");
        log.Submission("crm.ours-cloud.example", "192.0.2.150", "newsletter", "news@ours.example", Readers(0), "06:00:00");
        for (var batch = 0; batch < 6; batch++)
        {
            var spam = Enumerable.Range(0, 40)
                .Select(n => (string.Create(CultureInfo.InvariantCulture, $"buyer{batch * 40 + n}@shop{(batch * 40 + n) % 60}.example"), n % 3 == 0))
                .ToList();
            log.Submission("vps-77.cheap-hosting.example", batch % 2 == 0 ? "203.0.113.201" : "203.0.113.202", "alice", "alice@ours.example", spam, $"02:{batch * 7:00}:00");
        }

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);

        var estate = new EstateSettings { ProtectedDomains = ["ours.example"] };
        await new DetectionRunner(store, estate, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day.AddDays(-1), Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day.AddDays(-1), Day, CancellationToken.None);

        var finding = Assert.Single(findings, f => f.Detector == "compromised_account");
        Assert.Equal(("alice", Day), (finding.Subject, finding.Day));
        using var evidence = finding.ParseEvidence();
        var e = evidence.RootElement;
        Assert.Equal(["failures", "new_networks", "spread", "volume"], e.GetProperty("signals").EnumerateArray().Select(s => s.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["198.51.100.7", "203.0.113.201", "203.0.113.202"], e.GetProperty("clients").EnumerateArray().Select(s => s.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["203.0.113.0/24"], e.GetProperty("new_networks").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(241, e.GetProperty("recipients").GetInt64());
        Assert.Equal(10, e.GetProperty("history_days").GetInt64());
        Assert.StartsWith("the login alice sent to 241 recipients", FindingExplainer.Explain(finding), StringComparison.Ordinal);
    }

    /// <summary>The newsletter's list: 300 readers in 80 domains, a few more each day, all delivered.</summary>
    private static List<(string, bool)> Readers(int daysBack) =>
        [.. Enumerable.Range(0, 300 + 10 - daysBack).Select(n => (string.Create(CultureInfo.InvariantCulture, $"reader{n}@d{n % 80}.example"), false))];
}
