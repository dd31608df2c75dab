using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// Ten days of Postfix lines written here. A webmail operator's pool and a partner write to us every day;
/// snowshoe runs of one generator came on two earlier days, from addresses used that day only but one. On
/// the last day a run arrives again: 12 addresses we never saw, one in each of 12 unrelated /24s,
/// named by one generator (<c>mta7.fastdeals-31.example</c>) with matching senders, each sending two
/// messages that are all accepted. The same day the webmail pool shows 12 new addresses in 12 /24s (pools
/// grow) and 12 unrelated newcomers write once each. Only the run is a campaign, and only as a campaign.
/// </summary>
public sealed class SnowshoeTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    /// <summary>Organisations that write to us for the first time, each named by its own people.</summary>
    private static readonly string[] Newcomers =
        ["bakery-rossi", "lindqvist-law", "harbourside-dental", "okafor-logistics", "tanaka-design", "bergstrom-ab",
         "villa-azul-hotel", "northfield-school", "kowalski-builders", "mapleleaf-vets", "dubois-avocats", "sunrise-yoga"];

    [Fact]
    public async Task ASnowshoeRunIsOneCampaignNamingEveryMemberAndNeitherAPoolNorNewcomersAre()
    {
        var log = new PostfixLog();
        for (var back = 9; back >= 1; back--)
        {
            log.Day = Day.AddDays(-back);
            for (var n = 0; n < 6; n++)
            {
                log.Inbound($"mail-{n}.webmail.example", $"198.51.{100 + n}.9", $"user{n}@webmail.example", ["alice.hill@ours.example"], "09:00:00");
            }

            log.Inbound("mx.partner.example", "192.0.2.80", "orders@partner.example", ["bob.stone@ours.example"], "10:00:00");
            if (back is 3 or 6)
            {
                SnowshoeRun(log, firstOctet: 100 + back);

                // The generator reused one address on both days: that alone does not make its naming established.
                log.Inbound("mta99.fastdeals-99.example", "45.45.45.45", "offers@fastdeals-99.example", ["reader9@ours.example"], "04:00:00");
            }
        }

        log.Day = Day;
        SnowshoeRun(log, firstOctet: 20);
        for (var n = 0; n < 12; n++)
        {
            log.Inbound(string.Create(CultureInfo.InvariantCulture, $"mail-9{n}.webmail.example"), string.Create(CultureInfo.InvariantCulture, $"198.51.{120 + n}.9"), $"user{n}@webmail.example", ["alice.hill@ours.example"], "11:00:00");
            log.Inbound($"mail.{Newcomers[n]}.example", string.Create(CultureInfo.InvariantCulture, $"203.0.{n}.25"), $"hello@{Newcomers[n]}.example", ["sales@ours.example"], "12:00:00");
        }

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);

        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);

        var campaign = Assert.Single(findings, f => f.Detector == "snowshoe");
        Assert.Equal("mta#.fastdeals-#.example", campaign.Subject);
        using var evidence = campaign.ParseEvidence();
        var e = evidence.RootElement;
        Assert.Equal("host_template", e.GetProperty("rule").GetString());
        Assert.Equal(12, e.GetProperty("member_count").GetInt64());
        Assert.Equal(12, e.GetProperty("networks").GetInt64());
        Assert.Equal(24, e.GetProperty("delivered").GetInt64());
        Assert.Contains("20.40.0.10", e.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.DoesNotContain(findings, f => f.Subject.StartsWith("20.", StringComparison.Ordinal) || f.Subject.Contains("webmail", StringComparison.Ordinal) || Newcomers.Any(n => f.Subject.Contains(n, StringComparison.Ordinal)));
        Assert.StartsWith("a snowshoe campaign: 12 addresses new to us in 12 networks share the host naming mta#.fastdeals-#.example, no established sender's", FindingExplainer.Explain(campaign), StringComparison.Ordinal);
    }

    /// <summary>Twelve addresses in twelve /24s (<c>firstOctet.40.0.10</c>, …), two accepted messages each, named by one generator.</summary>
    private static void SnowshoeRun(PostfixLog log, int firstOctet)
    {
        for (var n = 0; n < 12; n++)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"{firstOctet + n}.{40 + n}.{n * 13 % 250}.{10 + n}");
            var host = string.Create(CultureInfo.InvariantCulture, $"mta{n + 1}.fastdeals-{30 + n}.example");
            for (var m = 0; m < 2; m++)
            {
                log.Inbound(host, ip, string.Create(CultureInfo.InvariantCulture, $"offers@fastdeals-{30 + n}.example"), [$"reader{m}@ours.example"], string.Create(CultureInfo.InvariantCulture, $"03:{n * 2 + m:00}:00"));
            }
        }
    }

    [Fact]
    public async Task WithoutAWeekOfHistoryNothingIsCalledNew()
    {
        var log = new PostfixLog { Day = Day };
        for (var n = 0; n < 12; n++)
        {
            log.Inbound(string.Create(CultureInfo.InvariantCulture, $"mail-{n}.webmail.example"), string.Create(CultureInfo.InvariantCulture, $"198.51.{100 + n}.9"), $"user{n}@webmail.example", ["alice.hill@ours.example"], "11:00:00");
        }

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);

        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);

        Assert.DoesNotContain(await Finding.ReadAsync(store, Day, Day, CancellationToken.None), f => f.Detector == "snowshoe");
    }
}
