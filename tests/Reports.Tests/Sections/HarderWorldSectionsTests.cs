using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests.Sections;

/// <summary>
/// The daily report on a day written by hand: a backscatter wave refused at RCPT and a stolen login
/// sending spam. The report names the wave (not its innocent servers as attackers) with what to do
/// about it, and gives the compromised account a section of its own.
/// </summary>
public sealed class HarderWorldSectionsTests
{
    private static readonly DateOnly Day = SampleDayFixture.Day;

    [Fact]
    public async Task TheReportNamesTheWaveWithWhatToDoAndTheCompromisedAccount()
    {
        var log = new PostfixLog { Day = Day.AddDays(-1) };
        log.Submission("home.isp.example", "198.51.100.7", "alice", "alice@ours.example", [("friend@partner.example", false)], "09:00:00");
        log.Day = Day;
        for (var i = 0; i < 12; i++)
        {
            log.Refused($"mail.receiver{i}.example", string.Create(CultureInfo.InvariantCulture, $"2001:db8:{0x300 + i:x}::25"), "ESMTP", "<>",
                [string.Create(CultureInfo.InvariantCulture, $"kq{i}x{i * 7}@ours.example")], string.Create(CultureInfo.InvariantCulture, $"03:{i * 4:00}:00"));
        }

        for (var batch = 0; batch < 3; batch++)
        {
            log.Submission("vps-77.cheap-hosting.example", "203.0.113.201", "alice", "alice@ours.example",
                [.. Enumerable.Range(0, 50).Select(n => (string.Create(CultureInfo.InvariantCulture, $"buyer{batch * 50 + n}@shop{n}.example"), n % 4 == 0))],
                string.Create(CultureInfo.InvariantCulture, $"04:{batch * 9:00}:00"));
        }

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        var estate = new EstateSettings { ProtectedDomains = ["ours.example"] };
        await new DetectionRunner(store, estate, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance).RunAsync(Day, Day, null, CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, Day);
        var directory = Directory.CreateTempSubdirectory("relaywatch-report-");
        try
        {
            var written = await ReportWriter.WriteAsync(report, directory.FullName, ["md"], CancellationToken.None);
            var markdown = await File.ReadAllTextAsync(written.Markdown!);

            Assert.Contains("### NDR backscatter — 1 finding(s)", markdown, StringComparison.Ordinal);
            Assert.Contains("| ours.example |", markdown, StringComparison.Ordinal);
            Assert.Contains("a backscatter wave: 12 bounces", markdown, StringComparison.Ordinal);
            Assert.Contains("What to do:", markdown, StringComparison.Ordinal);
            Assert.Contains("validate recipients on every relay", markdown, StringComparison.Ordinal);
            Assert.Contains("### Compromised accounts — 1 finding(s)", markdown, StringComparison.Ordinal);
            Assert.Contains("the login alice sent to 150 recipients", markdown, StringComparison.Ordinal);
            Assert.DoesNotContain("### Directory harvest", markdown, StringComparison.Ordinal);

            // The wave's timeline: its hourly series in the JSON under its detector, and a chart in the section.
            var wave = Assert.Single(Assert.Single(report.Detectors, d => d.Detector == "backscatter").Waves);
            Assert.Equal("ours.example", wave.Domain);
            Assert.Equal([(3, 12L, 0L)], wave.Hours.Select(h => (h.Hour.Hour, h.Refused, h.Accepted)));
            Assert.Contains("/backscatter-wave-ours-example.png)", markdown, StringComparison.Ordinal);
            Assert.Contains("12 refused, 0 accepted, from 03:00; the peak was 03:00 with 12.", markdown, StringComparison.Ordinal);

            // The compromised account's section says what to do, and names the client it used.
            Assert.Contains("Lock the account and reset its password", markdown, StringComparison.Ordinal);
            Assert.Contains("Clients: 203.0.113.201", markdown, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheHandBuiltHarderDaysReportNamesBothWavesAndTheAccountAndBlamesNoInnocentServer()
    {
        var day = HandBuiltHarderDay.Build();
        await using var store = await TestEngine.OpenAsync();
        await day.Lines.IngestIntoAsync(store);
        var estate = new EstateSettings { ProtectedDomains = HandBuiltHarderDay.Ours };
        await new DetectionRunner(store, estate, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(HandBuiltHarderDay.Day, HandBuiltHarderDay.Day, null, CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, HandBuiltHarderDay.Day);
        var backscatter = Assert.Single(report.Detectors, d => d.Detector == "backscatter");
        Assert.Equal(["legacy.example", "ours.example"], backscatter.Waves.Select(w => w.Domain));
        Assert.Equal(day.RefusedWaveBounces, backscatter.Waves[1].Hours.Sum(h => h.Refused));
        Assert.Equal(day.AcceptedWaveServers.Count, backscatter.Waves[0].Hours.Sum(h => h.Accepted));
        Assert.Equal([HandBuiltHarderDay.CompromisedLogin], Assert.Single(report.Detectors, d => d.Detector == "compromised_account").Top.Select(i => i.Subject));

        // No section blames a bouncing server or the newsletter's pool.
        var innocent = day.RefusedWaveServers.Concat(day.AcceptedWaveServers).Concat(day.NewsletterPool).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(report.Detectors.SelectMany(d => d.Top), i => innocent.Contains(i.Subject));
    }

    [Fact]
    public async Task AWavesHourlySeriesKeepsOnlyItsWellFormedHours()
    {
        await using var store = await TestEngine.OpenAsync();
        const string Evidence = """{"rule":"wave","hourly":[{"hour":"2026-11-24 03:00:00","refused":"12","accepted":1},{"hour":5},"junk",{"hour":"2026-11-24 04:00:00","refused":2,"accepted":1},{"hour":"not a time","refused":1,"accepted":1}]}""";
        await store.ExecuteAsync(
            """
            INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence, created_at)
            VALUES ('2026-11-24', 'backscatter', 'ours.example', 'medium', 1, '2026-11-24 03:00:00', '2026-11-24 04:00:00', 3, {evidence:String}, now64(3))
            """,
            new Dictionary<string, string> { ["evidence"] = Evidence }, CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, Day);

        var wave = Assert.Single(Assert.Single(report.Detectors, d => d.Detector == "backscatter").Waves);
        Assert.Equal([(4, 2L, 1L)], wave.Hours.Select(h => (h.Hour.Hour, h.Refused, h.Accepted)));
    }
}
