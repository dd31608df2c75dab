using System.Text;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Analysis.Dmarc;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Dmarc;

public sealed class DmarcViewTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    // ours.example; our relay mx1 sends from 192.0.2.25, and 10.0.0.0/8 is internal.
    private static readonly OurEstate Ours = new(["ours.example"], false, ["10.0.0.0/8"], [], ["mx1"], ["192.0.2.25"]);

    [Fact]
    public async Task TheDaysForgersOurFailingOutboundAndThePolicyComeFromTheReportsAndTheLogsTogether()
    {
        await using var store = await TestEngine.OpenAsync();
        await StoreAsync(store, Report("day-1", 1795478400, // 2026-11-24
            ("203.0.113.9", 6, "none", "fail", "fail", "ours.example"),       // a forger that also tried our relays that day
            ("198.51.100.50", 4, "reject", "fail", "fail", "mail.ours.example"), // a forger seen only by the reporter
            ("192.0.2.25", 100, "none", "pass", "pass", "ours.example"),      // our relay, passing
            ("192.0.2.25", 3, "none", "fail", "pass", "ours.example"),        // our relay, DKIM broken but SPF saves DMARC
            ("10.1.2.3", 2, "none", "fail", "fail", "ours.example"),          // an internal sender failing both
            ("198.51.100.60", 5, "none", "pass", "fail", "ours.example")));   // a service signing as us: passes, not a forger
        await StoreAsync(store, Report("day-0", 1795132800, ("203.0.113.200", 9, "none", "fail", "fail", "ours.example"))); // 2026-11-20
        await StoreTlsAsync(store, """
            {"organization-name": "Sender Inc.", "report-id": "tls-1", "contact-info": "tls@sender.example",
             "date-range": {"start-datetime": "2026-11-24T00:00:00Z", "end-datetime": "2026-11-24T23:59:59Z"},
             "policies": [
               {"policy": {"policy-type": "sts", "policy-domain": "ours.example"}, "summary": {"total-successful-session-count": 90, "total-failure-session-count": 12},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 9}, {"result-type": "starttls-not-supported", "failed-session-count": 3}]},
               {"policy": {"policy-type": "sts", "policy-domain": "theirs.example"}, "summary": {"total-successful-session-count": 1, "total-failure-session-count": 5},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 5}]}]}
            """);
        await store.InsertRowAsync("smtp_events", Event("203.0.113.9", "mx1"), CancellationToken.None);
        await store.InsertRowAsync("smtp_events", Event("203.0.113.9", "mx2"), CancellationToken.None);
        await store.InsertRowAsync("smtp_events", Event("198.51.100.50", "mx1", "2026-11-23 23:59:59"), CancellationToken.None);

        var view = await new DmarcView(store).ReadAsync(Day, Ours, CancellationToken.None);

        Assert.Equal(
            [
                new DmarcForger("203.0.113.9", 6, ["receiver.example"], ["ours.example"], ["none"], 2, ["mx1", "mx2"]),
                new DmarcForger("198.51.100.50", 4, ["receiver.example"], ["mail.ours.example"], ["reject"], 0, []),
            ],
            view.Forgers,
            ForgerComparer.Instance);
        Assert.Equal([true, false], view.Forgers.Select(f => f.AlsoHitOurRelays));
        Assert.Equal(
            [("10.1.2.3", 2UL, 2UL, 2UL, 2UL), ("192.0.2.25", 103UL, 3UL, 0UL, 0UL)],
            view.OutboundFailures.Select(o => (o.Ip, o.Messages, o.DkimFailing, o.SpfFailing, o.DmarcFailing)));
        var domain = Assert.Single(view.Domains);
        Assert.Equal(new DmarcDomainPolicy("ours.example", "none", 100, 120, 105, 2, 10, 6), domain);
        Assert.Equal("2 of our own 105 message(s) failed DMARC: fix SPF/DKIM before tightening the policy", domain.Advice);
        Assert.Equal(Day, await new DmarcView(store).LatestDayAsync(CancellationToken.None));
        Assert.Equal(
            [("ours.example", "certificate-expired", 9UL, "Sender Inc."), ("ours.example", "starttls-not-supported", 3UL, "Sender Inc.")],
            view.TlsFailures.Select(t => (t.Domain, t.ResultType, t.Sessions, string.Join(",", t.Reporters))));
    }

    [Fact]
    public async Task WithoutReportsThereIsNoDayAndNothingToShow()
    {
        await using var store = await TestEngine.OpenAsync();

        var view = await new DmarcView(store).ReadAsync(Day, Ours, CancellationToken.None);

        Assert.Null(await new DmarcView(store).LatestDayAsync(CancellationToken.None));
        Assert.Empty(view.Forgers);
        Assert.Empty(view.OutboundFailures);
        Assert.Empty(view.Domains);
        Assert.Empty(view.TlsFailures);
    }

    [Theory]
    [InlineData("none", 100, 50, 0, 7_000, "our mail passes; 7,000 forged message(s) were delivered under p=none: move to p=quarantine")]
    [InlineData("quarantine", 50, 50, 0, 0, "our mail passes; raise pct from 50 to 100, then move to p=reject")]
    [InlineData("quarantine", 100, 50, 0, 0, "our mail passes and forgery is quarantined: move to p=reject")]
    [InlineData("reject", 100, 50, 0, 0, "p=reject: receivers refuse the forgery")]
    [InlineData("none", 100, 50, 1, 7, "1 of our own 50 message(s) failed DMARC: fix SPF/DKIM before tightening the policy")]
    [InlineData("none", 100, 0, 0, 7, "no mail from our relays or networks in these reports: check estate.relayAddresses (and senders of ours elsewhere) before tightening the policy")]
    public void TheAdviceMovesThePolicyOnlyWhenOurOwnMailPasses(string p, byte pct, ulong ours, ulong oursFailing, ulong forgedDelivered, string advice)
    {
        var policy = new DmarcDomainPolicy("ours.example", p, pct, ours + forgedDelivered, ours, oursFailing, forgedDelivered, forgedDelivered);

        Assert.Equal(advice, policy.Advice);
    }

    private static async Task StoreAsync(IClickHouseStore store, string xml)
    {
        var outcome = new DmarcReportReader().ReadXml(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test.xml");
        Assert.True(await new DmarcStore(store, new FakeTimeProvider()).AddAsync(outcome.Report ?? throw new InvalidOperationException(outcome.Sentence), "test.xml", CancellationToken.None));
    }

    private static async Task StoreTlsAsync(IClickHouseStore store, string json)
    {
        var path = Path.Combine(Path.GetTempPath(), "relaywatch-tls-" + Guid.NewGuid().ToString("N")[..12] + ".json");
        await File.WriteAllTextAsync(path, json);
        try
        {
            var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));
            Assert.True(await new TlsStore(store, new FakeTimeProvider()).AddAsync(outcome.TlsReport ?? throw new InvalidOperationException(outcome.Sentence), path, CancellationToken.None));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dictionary<string, object> Event(string ip, string relay, string ts = "2026-11-24 10:00:00") => new()
    {
        ["ts"] = ts,
        ["relay"] = relay,
        ["source"] = "postfix",
        ["event"] = "rcpt_reject",
        ["client_ip"] = "::ffff:" + ip,
        ["rcpt_to"] = "info@ours.example",
    };

    /// <summary>An RFC 7489 aggregate report of ours.example from one receiver, for one day from <paramref name="begin"/>.</summary>
    internal static string Report(string id, long begin, params (string Ip, int Count, string Disposition, string Dkim, string Spf, string HeaderFrom)[] records)
    {
        var rows = string.Concat(records.Select(r => $"""
            <record><row><source_ip>{r.Ip}</source_ip><count>{r.Count}</count>
              <policy_evaluated><disposition>{r.Disposition}</disposition><dkim>{r.Dkim}</dkim><spf>{r.Spf}</spf></policy_evaluated></row>
              <identifiers><header_from>{r.HeaderFrom}</header_from></identifiers></record>
            """));
        return $"""
            <feedback>
              <report_metadata><org_name>receiver.example</org_name><email>d@receiver.example</email><report_id>{id}</report_id>
                <date_range><begin>{begin}</begin><end>{begin + 86399}</end></date_range></report_metadata>
              <policy_published><domain>ours.example</domain><p>none</p></policy_published>
              {rows}
            </feedback>
            """;
    }

    /// <summary>Records with lists compare by reference; this compares them by content.</summary>
    private sealed class ForgerComparer : IEqualityComparer<DmarcForger>
    {
        public static readonly ForgerComparer Instance = new();

        public bool Equals(DmarcForger? x, DmarcForger? y) =>
            x is not null && y is not null && x.Ip == y.Ip && x.Messages == y.Messages && x.RelayEvents == y.RelayEvents
            && x.Reporters.SequenceEqual(y.Reporters) && x.Domains.SequenceEqual(y.Domains)
            && x.Dispositions.SequenceEqual(y.Dispositions) && x.Relays.SequenceEqual(y.Relays);

        public int GetHashCode(DmarcForger obj) => obj.Ip.GetHashCode(StringComparison.Ordinal);
    }
}
