using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Store.Vocabulary;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary><c>dmarc_forgery</c> and <c>outbound_auth_failure</c> on hand-written reports: the cases the simulator does not make.</summary>
public sealed class DmarcDetectorsOnReportsTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    [Fact]
    public async Task OurRelayFailingBothChecksIsAHighOutboundFailureNeverAForgerAndAForwarderOrAnotherDomainIsNobody()
    {
        await using var store = await TestEngine.OpenAsync();
        await StoreAsync(store, Report("r-1", 1795478400, // 2026-11-24
            ("192.0.2.25", 100, "pass", "pass", "ours.example"),   // our relay, passing
            ("192.0.2.25", 7, "fail", "fail", "ours.example"),     // our relay, both checks broken: DMARC fails
            ("10.1.2.3", 1000, "pass", "pass", "ours.example"),    // an internal sender ...
            ("10.1.2.3", 1, "fail", "pass", "ours.example"),       // ... with one odd DKIM failure in a thousand
            ("203.0.113.9", 6, "fail", "fail", "ours.example"),    // a forger that also tried our relays that day
            ("198.51.100.60", 5, "pass", "fail", "ours.example"),  // a forwarder: our DKIM signature survived
            ("198.51.100.50", 4, "fail", "fail", "theirs.example"))); // failing, but as somebody else's domain
        await store.InsertRowAsync("smtp_events", new Dictionary<string, object>
        {
            ["ts"] = "2026-11-24 10:00:00", ["relay"] = "mx1", ["source"] = "postfix", ["event"] = "rcpt_reject",
            ["client_ip"] = "::ffff:203.0.113.9", ["rcpt_to"] = "info@ours.example", ["mail_from"] = "ceo@ours.example",
        }, CancellationToken.None);
        var estate = new EstateSettings { ProtectedDomains = ["ours.example"], RelayAddresses = ["192.0.2.25"] };

        await new DetectionRunner(store, estate, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance).RunAsync(Day, Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);

        var forger = Assert.Single(findings, f => f.Detector == DetectorNames.DmarcForgery);
        Assert.Equal(("203.0.113.9", "high", 6L), (forger.Subject, forger.Severity, forger.Events));
        Assert.Equal(
            "6 message(s) as ours.example failed DMARC at receiver.example; the same address hit our relays that day (1 events at mx1, e.g. from ceo@ours.example)",
            FindingExplainer.Explain(forger));
        var outbound = Assert.Single(findings, f => f.Detector == DetectorNames.OutboundAuthFailure);
        Assert.Equal(("192.0.2.25", "high", 7L), (outbound.Subject, outbound.Severity, outbound.Events));
        Assert.Equal("7 of our 107 message(s) from this address failed DKIM and SPF at receiver.example; 7 failed DMARC", FindingExplainer.Explain(outbound));
    }

    [Fact]
    public async Task ALowerFailingShareNamesTheOddFailureToo()
    {
        await using var store = await TestEngine.OpenAsync();
        await StoreAsync(store, Report("r-2", 1795478400, ("10.1.2.3", 1000, "pass", "pass", "ours.example"), ("10.1.2.3", 1, "fail", "pass", "ours.example")));
        var settings = new DetectorSettings { OutboundAuthFailure = new OutboundAuthFailureSettings { MinFailingShare = 0.0005 } };

        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(settings), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);

        var outbound = Assert.Single(findings);
        Assert.Equal((DetectorNames.OutboundAuthFailure, "10.1.2.3", "medium", 1L), (outbound.Detector, outbound.Subject, outbound.Severity, outbound.Events));
    }

    private static async Task StoreAsync(IClickHouseStore store, string xml)
    {
        var outcome = new DmarcReportReader().ReadXml(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test.xml");
        Assert.True(await new DmarcStore(store, new FakeTimeProvider()).AddAsync(outcome.Report ?? throw new InvalidOperationException(outcome.Sentence), "test.xml", CancellationToken.None));
    }

    /// <summary>A report whose receiver delivered every message (disposition none), written by <see cref="Dmarc.DmarcViewTests.Report"/>.</summary>
    private static string Report(string id, long begin, params (string Ip, int Count, string Dkim, string Spf, string HeaderFrom)[] records) =>
        Dmarc.DmarcViewTests.Report(id, begin, [.. records.Select(r => (r.Ip, r.Count, "none", r.Dkim, r.Spf, r.HeaderFrom))]);
}
