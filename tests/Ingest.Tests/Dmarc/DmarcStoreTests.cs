using System.Text;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Dmarc;

public sealed class DmarcStoreTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "relaywatch-dmarc-store-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));

    public DmarcStoreTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [CorpusFact]
    public async Task TheSampleFolderLoadsOnceAndASecondRunAddsNothing()
    {
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var loader = new DmarcLoader(new DmarcReportReader(), new DmarcStore(store, time), new TlsStore(store, time));
        var files = DmarcLoader.Expand([Corpora.PathOf("parsedmarc-samples/aggregate")]);

        var first = await LoadAsync(loader, files);
        var second = await LoadAsync(loader, files);

        // 19 files: 17 reports (2,304 records counting 2,433 messages, as DmarcReportReaderTests' table adds up) and
        // the two broken ones.
        Assert.Equal(19, files.Count);
        Assert.Equal((17, 2304L, 2433UL, 0), (first.Reports, first.Records, first.Messages, first.Duplicates));
        Assert.Equal(2, first.Refusals.Count);
        Assert.Contains(first.Refusals, r => r.Contains("invalid_xml.xml: refused: it is not well-formed XML", StringComparison.Ordinal));
        Assert.Contains(first.Refusals, r => r.Contains("invalid_utf_8.xml: refused: it is not well-formed XML", StringComparison.Ordinal));
        Assert.Equal((0, 0L, 17), (second.Reports, second.Records, second.Duplicates));
        Assert.Equal(first.Refusals, second.Refusals);
        Assert.Equal("2304\t2433\t17", await store.QueryScalarAsync(
            "SELECT concat(toString(count()), '\t', toString(sum(count)), '\t', toString(uniqExact(reporter_org, report_id))) FROM dmarc_records", CancellationToken.None));
    }

    [Fact]
    public async Task AReportSentTwiceAfterACrashLandsOnceThroughItsToken()
    {
        await using var store = await TestEngine.OpenAsync();
        var dmarc = new DmarcStore(store, time);
        var report = Read(DmarcReports.Xml("crash-1", records: [("192.0.2.1", 4, "fail", "fail"), ("2001:db8::7", 2, "pass", "fail")]));

        // As if the first insert landed but its answer was lost: the retry skips the check and relies on the token.
        await dmarc.InsertAsync(report, "a.xml", CancellationToken.None);
        await dmarc.InsertAsync(report, "a.xml", CancellationToken.None);
        var again = await dmarc.AddAsync(report, "a.xml", CancellationToken.None);

        Assert.False(again);
        Assert.Equal("2", await store.QueryScalarAsync("SELECT count() FROM dmarc_records", CancellationToken.None));
    }

    [Fact]
    public async Task TheSameIdFromAnotherReporterIsAnotherReport()
    {
        await using var store = await TestEngine.OpenAsync();
        var dmarc = new DmarcStore(store, time);

        var first = await dmarc.AddAsync(Read(DmarcReports.Xml("42", org: "one.example")), "one.xml", CancellationToken.None);
        var second = await dmarc.AddAsync(Read(DmarcReports.Xml("42", org: "two.example")), "two.xml", CancellationToken.None);
        var repeated = await dmarc.AddAsync(Read(DmarcReports.Xml("42", org: "one.example")), "one-again.xml", CancellationToken.None);

        Assert.Equal((true, true, false), (first, second, repeated));
        Assert.Equal("2", await store.QueryScalarAsync("SELECT count() FROM dmarc_records", CancellationToken.None));
    }

    [Fact]
    public async Task ARowKeepsTheRecordAsTheReporterWroteIt()
    {
        await using var store = await TestEngine.OpenAsync();
        var xml = """
            <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
              <version>2.0</version>
              <report_metadata><org_name>Receiver</org_name><email>r@receiver.example</email><report_id>x-9</report_id>
                <date_range><begin>1795478400</begin><end>1795564799</end></date_range></report_metadata>
              <policy_published><domain>Ours.Example</domain><p>quarantine</p><np>reject</np><testing>n</testing></policy_published>
              <record>
                <row><source_ip>198.51.100.23</source_ip><count>17</count>
                  <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf>
                    <reason><type>local_policy</type></reason></policy_evaluated></row>
                <identifiers><envelope_to>receiver.example</envelope_to><envelope_from>bulk.example</envelope_from><header_from>ours.example</header_from></identifiers>
                <auth_results>
                  <dkim><domain>bulk.example</domain><selector>s1</selector><result>pass</result></dkim>
                  <dkim><domain>ours.example</domain><result>fail</result></dkim>
                  <spf><domain>bulk.example</domain><scope>mfrom</scope><result>softfail</result></spf>
                </auth_results>
              </record>
            </feedback>
            """;

        Assert.True(await new DmarcStore(store, time).AddAsync(Read(xml), "mail!x.xml", CancellationToken.None));

        var row = Assert.Single(await store.QueryListAsync(
            """
            SELECT reporter_org, report_id, toString(date_begin), toString(date_end), schema, version, policy_domain, policy_adkim, policy_p,
                   policy_np, policy_pct, policy_testing, record, toString(source_ip), count, disposition, dkim, spf, toString(reasons),
                   header_from, envelope_from, envelope_to, toString(dkim_domains), toString(dkim_selectors), toString(dkim_results),
                   toString(spf_domains), toString(spf_scopes), toString(spf_results), file, toString(loaded_at)
            FROM dmarc_records
            """,
            null, CancellationToken.None));
        Assert.Equal(
            [
                "Receiver", "x-9", "2026-11-24 00:00:00", "2026-11-24 23:59:59", "rfc9990", "2.0", "ours.example", "r", "quarantine",
                "reject", "100", "n", "1", "::ffff:198.51.100.23", "17", "quarantine", "fail", "fail", "['local_policy']",
                "ours.example", "bulk.example", "receiver.example", "['bulk.example','ours.example']", "['s1','']", "['pass','fail']",
                "['bulk.example']", "['mfrom']", "['softfail']", "mail!x.xml", "2026-12-07 08:00:00.000",
            ],
            row);
    }

    private static DmarcReport Read(string xml) => DmarcXml.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml)), new DmarcReadLimits());

    private static async Task<DmarcLoadSummary> LoadAsync(DmarcLoader loader, IReadOnlyList<string> files)
    {
        var summary = new DmarcLoadSummary();
        foreach (var file in files)
        {
            await loader.LoadFileAsync(file, summary, CancellationToken.None);
        }

        return summary;
    }
}
