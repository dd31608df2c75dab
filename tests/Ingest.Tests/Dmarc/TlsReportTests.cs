using System.Text;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Dmarc;

public sealed class TlsReportTests
{
    [CorpusTheory]
    // Hand-derived from parsedmarc's samples (parsedmarc@6358c364 samples/smtp_tls, Apache-2.0) with Python's json,
    // gzip and email modules: one policy each; its type and domain, the summary's session counts, the failure details.
    [InlineData("mail.ru.json", "Mail.ru", "b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru", "sts", "example.com", 0, 1, 2)]
    [InlineData("rfc8460.json", "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be", "sts", "company-y.example", 5326, 303, 3)]
    [InlineData("smtp_tls.json", "Example Inc.", "2024-01-09T00:00:00Z_example.com", "sts", "example.com", 0, 3, 2)]
    [InlineData("google.com_smtp_tls_report.eml", "Google Inc.", "2024-09-03T00:00:00Z_cardinalhealth.ca", "no-policy-found", "cardinalhealth.ca", 48, 0, 0)]
    public void EverySampleGivesItsReport(string file, string org, string id, string type, string domain, long successful, long failed, int details)
    {
        var outcome = Assert.Single(new DmarcReportReader().ReadFile(Corpora.PathOf("parsedmarc-samples/smtp_tls/" + file)));

        var report = outcome.TlsReport ?? throw new Xunit.Sdk.XunitException(outcome.Sentence);
        Assert.Equal((org, id), (report.ReporterOrg, report.ReportId));
        var policy = Assert.Single(report.Policies);
        Assert.Equal((type, domain, (ulong)successful, (ulong)failed, details), (policy.PolicyType, policy.PolicyDomain, policy.SuccessfulSessions, policy.FailedSessions, policy.Failures.Count));
    }

    [CorpusFact]
    public void TheRfcExampleKeepsItsFailureDetails()
    {
        var report = new DmarcReportReader().ReadFile(Corpora.PathOf("parsedmarc-samples/smtp_tls/rfc8460.json"))[0].TlsReport!;

        Assert.Equal(DateTimeOffset.Parse("2016-04-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), report.Begin);
        var policy = report.Policies[0];
        Assert.Equal(["*.mail.company-y.example"], policy.MxHosts);
        Assert.Equal(new TlsFailureDetail("starttls-not-supported", "2001:db8:abcd:0013::1", "mx2.mail.company-y.example", "203.0.113.56", 200, string.Empty), policy.Failures[1]);
    }

    [CorpusFact]
    public async Task TheSampleFolderLoadsOnceBesideNoDmarcRows()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var time = new FakeTimeProvider();
        var loader = new DmarcLoader(new DmarcReportReader(), new DmarcStore(store, time), new TlsStore(store, time));
        var files = DmarcLoader.Expand([Corpora.PathOf("parsedmarc-samples/smtp_tls")]);

        var first = new DmarcLoadSummary();
        var second = new DmarcLoadSummary();
        foreach (var file in files)
        {
            await loader.LoadFileAsync(file, first, CancellationToken.None);
        }

        foreach (var file in files)
        {
            await loader.LoadFileAsync(file, second, CancellationToken.None);
        }

        Assert.Equal((4, 0, 0), (first.TlsReports, first.TlsDuplicates, first.Reports));
        Assert.Empty(first.Refusals);
        Assert.Equal((0, 4), (second.TlsReports, second.TlsDuplicates));
        Assert.Equal("4\t307\t5374", await store.QueryScalarAsync(
            "SELECT concat(toString(count()), '\t', toString(sum(failed_sessions)), '\t', toString(sum(successful_sessions))) FROM tls_reports", CancellationToken.None));
    }

    [Theory]
    [InlineData("{\"organization-name\": \"x\", ", "it is not valid JSON (Expected start of a property name or value, but instead reached end of data. LineNumber: 0 | BytePositionInLine: 27)")]
    [InlineData("{\"organization-name\": \"x\"}", "it is not an SMTP TLS report (RFC 8460): it has no \"policies\" array")]
    [InlineData("{\"organization-name\": \"x\", \"report-id\": \"1\", \"date-range\": {\"start-datetime\": \"yesterday\"}, \"policies\": []}", "its date-range start-datetime is not an RFC 3339 time ('yesterday')")]
    public void ABrokenTlsReportIsRefusedWithItsReason(string json, string reason)
    {
        var path = Path.Combine(Path.GetTempPath(), "relaywatch-tls-" + Guid.NewGuid().ToString("N")[..12] + ".json");
        File.WriteAllText(path, json, new UTF8Encoding(false));
        try
        {
            var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

            Assert.Equal($"{path}: refused: {reason}", outcome.Sentence);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
