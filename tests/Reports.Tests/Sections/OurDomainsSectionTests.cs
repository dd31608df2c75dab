using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Reports.Content;
using RelayWatch.Reports.Rendering;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests.Sections;

/// <summary>"Our domains as others see them": the DMARC and TLS reports covering the day, joined with the relays' logs.</summary>
public sealed class OurDomainsSectionTests
{
    private static readonly DateOnly Day = SampleDayFixture.Day;

    // ours.example; our relay sends from 192.0.2.25 (configured), 10.0.0.0/8 is private and so internal.
    private static readonly EstateSettings Ours = new() { ProtectedDomains = ["ours.example"], RelayAddresses = ["192.0.2.25"] };

    [Fact]
    public async Task TheSectionShowsPolicyForgersOurFailingMailAndTlsFailuresWithForgersOnOurRelaysFirst()
    {
        await using var store = await TestEngine.OpenAsync();
        await StoreAsync(store, Report("day-1", 1795478400, "quarantine", // 2026-11-24
            ("198.51.100.50", 40, "quarantine", "fail", "fail", "ours.example"), // the bigger forger, seen only by the reporter
            ("203.0.113.9", 6, "none", "fail", "fail", "ours.example"),          // a forger that also tried our relays that day
            ("192.0.2.25", 100, "none", "pass", "pass", "ours.example"),         // our relay, passing
            ("10.1.2.3", 2, "none", "fail", "fail", "ours.example")));           // an internal sender failing both
        await StoreTlsAsync(store, """
            {"organization-name": "Sender Inc.", "report-id": "tls-1", "contact-info": "tls@sender.example",
             "date-range": {"start-datetime": "2026-11-24T00:00:00Z", "end-datetime": "2026-11-24T23:59:59Z"},
             "policies": [{"policy": {"policy-type": "sts", "policy-domain": "ours.example"}, "summary": {"total-successful-session-count": 90, "total-failure-session-count": 4},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 4}]}]}
            """);
        await store.ExecuteAsync(
            """
            INSERT INTO smtp_events (ts, relay, source, event, client_ip, rcpt_to, reason, smtp_code)
            VALUES ('2026-11-24 10:00:00', 'mx1', 'postfix', 'rcpt_reject', toIPv6('203.0.113.9'), 'info@ours.example', 'relay_denied', 554)
            """,
            null, CancellationToken.None);

        var report = await BuildAsync(store);
        var section = report.OurDomains ?? throw new InvalidOperationException("the day has reports, so the section must be there");
        var markdown = Markdown(report);

        // 40 + 6 + 100 + 2 messages about ours.example; ours 102 of them, 2 failing; others failing 46, delivered (none) 6.
        var domain = Assert.Single(section.Domains);
        Assert.Equal(("ours.example", "quarantine", 148UL, 102UL, 2UL, 46UL, 6UL), (domain.Domain, domain.P, domain.Messages, domain.OursMessages, domain.OursFailing, domain.Forged, domain.ForgedDelivered));
        Assert.Equal((2, 1), (section.ForgerCount, section.ForgersOnOurRelays));
        Assert.Equal(["203.0.113.9", "198.51.100.50"], section.Forgers.Select(f => f.Ip));
        Assert.Equal(["mx1"], section.Forgers[0].Relays);
        Assert.Equal([("10.1.2.3", 2UL, 2UL, 2UL)], section.OutboundFailures.Select(o => (o.Ip, o.DkimFailing, o.SpfFailing, o.DmarcFailing)));
        Assert.Equal([("ours.example", "certificate-expired", 4UL)], section.TlsFailures.Select(t => (t.Domain, t.ResultType, t.Sessions)));

        Assert.Contains("DMARC: 1 source(s) that failed DMARC sending as our domains elsewhere also hit our relays today: 203.0.113.9.", report.Summary.Callouts);
        Assert.Contains("DMARC: 2 message(s) of ours from 10.1.2.3 failed DMARC at receiver.example: check its SPF and DKIM.", report.Summary.Callouts);
        Assert.Contains("## 7\\. Our domains as others see them", markdown, StringComparison.Ordinal);
        Assert.Contains("2 source(s) failed DMARC as our domains at other receivers; 1 of them also hit our relays that day (listed first).", markdown, StringComparison.Ordinal);
        Assert.Contains("| 203.0.113.9 | 6 |", markdown, StringComparison.Ordinal);
        Assert.Contains("mx1 (1 event(s))", markdown, StringComparison.Ordinal);
        Assert.Contains(domain.Advice, markdown, StringComparison.Ordinal);
        Assert.True(markdown.IndexOf("203.0.113.9", StringComparison.Ordinal) < markdown.IndexOf("198.51.100.50", StringComparison.Ordinal));
        Assert.DoesNotContain(OurDomainsBlocks.NoReports, markdown, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(JsonRenderer.Render(report));
        Assert.Equal(DailyReport.SchemaVersion, json.RootElement.GetProperty("schema").GetString());
        var forgers = json.RootElement.GetProperty("ourDomains").GetProperty("forgers");
        Assert.Equal("203.0.113.9", forgers[0].GetProperty("ip").GetString());
        Assert.True(forgers[0].GetProperty("alsoHitOurRelays").GetBoolean());
    }

    [Fact]
    public async Task ADayWithoutReportsSaysOnceHowToLoadThemAndShowsNoTable()
    {
        await using var store = await TestEngine.OpenAsync();
        // A report of another day is stored: it does not cover this one.
        await StoreAsync(store, Report("day-0", 1795132800, "none", ("203.0.113.200", 9, "none", "fail", "fail", "ours.example"))); // 2026-11-20

        var report = await BuildAsync(store);
        var markdown = Markdown(report);
        var html = HtmlRenderer.Render(ReportDocumentBuilder.Build(report, []), []);

        Assert.Null(report.OurDomains);
        Assert.Equal(1, Occurrences(markdown, OurDomainsBlocks.NoReports));
        var section = markdown[markdown.IndexOf("## 7\\. Our domains as others see them", StringComparison.Ordinal)..];
        Assert.DoesNotContain("|", section, StringComparison.Ordinal);
        Assert.DoesNotContain("###", section, StringComparison.Ordinal);
        Assert.Contains("Our domains as others see them", html, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(JsonRenderer.Render(report)).RootElement.GetProperty("ourDomains").ValueKind);
    }

    [Fact]
    public async Task HostileReporterNamesAreShownAsText()
    {
        await using var store = await TestEngine.OpenAsync();
        await StoreAsync(store, Report("day-1", 1795478400, "none", "<script>alert(1)</script>", ("198.51.100.50", 3, "none", "fail", "fail", "ours.example")));

        var report = await BuildAsync(store);
        var html = HtmlRenderer.Render(ReportDocumentBuilder.Build(report, []), []);

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// parsedmarc's samples (parsedmarc, Apache-2.0: samples/aggregate): the day 2024-03-31 is covered by the Outlook
    /// report (to 00:00) and the large example.com report. Each domain's messages must be what those reports count.
    /// </summary>
    [CorpusFact]
    public async Task TheParsedmarcSamplesCoveringADayAddUpPerDomain()
    {
        await using var store = await TestEngine.OpenAsync();
        var time = new FakeTimeProvider(SampleDayFixture.MadeAt);
        var loader = new DmarcLoader(new DmarcReportReader(), new DmarcStore(store, time), new TlsStore(store, time));
        await loader.LoadFileAsync(Path.Combine(RepositoryFolders.Corpora, "parsedmarc-samples", "aggregate", "!large-example.com!1711897200!1711983600.xml"), new DmarcLoadSummary(), CancellationToken.None);
        await loader.LoadFileAsync(Path.Combine(RepositoryFolders.Corpora, "parsedmarc-samples", "aggregate", "protection.outlook.com!example.com!1711756800!1711843200.xml"), new DmarcLoadSummary(), CancellationToken.None);
        var day = new DateOnly(2024, 3, 31);

        var report = await new ReportBuilder(store, new EstateSettings { ProtectedDomains = ["example.com"] }, new ReportSettings(), new FakeTimeProvider(SampleDayFixture.MadeAt))
            .BuildAsync(day, CancellationToken.None);
        var expected = await store.QueryListAsync(
            "SELECT policy_domain, sum(count) FROM dmarc_records GROUP BY policy_domain ORDER BY policy_domain", null, CancellationToken.None);

        var section = report.OurDomains ?? throw new InvalidOperationException("two sample reports cover the day");
        Assert.NotEmpty(expected);
        Assert.Equal(
            expected.Select(r => (r[0], ulong.Parse(r[1], CultureInfo.InvariantCulture))),
            section.Domains.Select(d => (d.Domain, d.Messages)));
        // The large report names thousands of sources failing DMARC: the report lists the first 50 and counts the rest.
        Assert.True(section.ForgerCount > 50, "the large example.com report has thousands of failing sources");
        Assert.Equal(50, section.Forgers.Count);
        Assert.Equal(0, section.ForgersOnOurRelays);
        Assert.True(section.Forgers.Zip(section.Forgers.Skip(1)).All(p => p.First.Messages >= p.Second.Messages), "the most messages first");
        var markdown = Markdown(report);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"_{section.ForgerCount - 50:N0} more: relaywatch dmarc show --day 2024-03-31_"), markdown, StringComparison.Ordinal);
        Assert.All(section.Domains, d => Assert.Contains(d.Advice, markdown, StringComparison.Ordinal));
    }

    private static Task<DailyReport> BuildAsync(IClickHouseStore store) =>
        new ReportBuilder(store, Ours, new ReportSettings(), new FakeTimeProvider(SampleDayFixture.MadeAt)).BuildAsync(Day, CancellationToken.None);

    private static string Markdown(DailyReport report) => MarkdownRenderer.Render(ReportDocumentBuilder.Build(report, []), [], "charts");

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task StoreAsync(IClickHouseStore store, string xml)
    {
        var outcome = new DmarcReportReader().ReadXml(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test.xml");
        Assert.True(await new DmarcStore(store, new FakeTimeProvider()).AddAsync(outcome.Report ?? throw new InvalidOperationException(outcome.Sentence), "test.xml", CancellationToken.None));
    }

    private static async Task StoreTlsAsync(IClickHouseStore store, string json)
    {
        var path = Path.Combine(Path.GetTempPath(), "relaywatch-report-tls-" + Guid.NewGuid().ToString("N")[..12] + ".json");
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

    /// <summary>An aggregate report in RFC 7489's shape about ours.example, covering the UTC day that starts at <paramref name="begin"/>.</summary>
    private static string Report(string id, long begin, string p, params (string Ip, int Count, string Disposition, string Dkim, string Spf, string HeaderFrom)[] records) =>
        Report(id, begin, p, "receiver.example", records);

    private static string Report(string id, long begin, string p, string org, params (string Ip, int Count, string Disposition, string Dkim, string Spf, string HeaderFrom)[] records)
    {
        var rows = string.Concat(records.Select(r => $"""
            <record><row><source_ip>{r.Ip}</source_ip><count>{r.Count}</count>
              <policy_evaluated><disposition>{r.Disposition}</disposition><dkim>{r.Dkim}</dkim><spf>{r.Spf}</spf></policy_evaluated></row>
              <identifiers><header_from>{r.HeaderFrom}</header_from></identifiers></record>
            """));
        return $"""
            <feedback>
              <report_metadata><org_name>{System.Security.SecurityElement.Escape(org)}</org_name><email>d@receiver.example</email><report_id>{id}</report_id>
                <date_range><begin>{begin}</begin><end>{begin + 86399}</end></date_range></report_metadata>
              <policy_published><domain>ours.example</domain><p>{p}</p></policy_published>
              {rows}
            </feedback>
            """;
    }
}
