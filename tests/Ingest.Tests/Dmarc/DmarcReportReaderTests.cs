using System.Text;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Dmarc;

public sealed class DmarcReportReaderTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "relaywatch-dmarc-" + Guid.NewGuid().ToString("N")[..12]);

    public DmarcReportReaderTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [CorpusTheory]
    // Hand-derived from parsedmarc's samples (parsedmarc@6358c364 samples/aggregate, Apache-2.0): <record>s, the sum of
    // their <count>s, report_id and org_name (or, where that is empty, the domain of <email>), read with Python's own
    // gzip/zip/email modules. The two RFC 9990 files are the only 2.0 ones.
    [InlineData("!example.com!1538204542!1538463818.xml", "accurateplastics.com", "example.com:1538463741", 1, 1, "rfc7489")]
    [InlineData("!large-example.com!1711897200!1711983600.xml", "accurateplastics.com", "example.com:1711897200", 2286, 2286, "rfc7489")]
    [InlineData("Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml", "google.com", "949348866075514174", 1, 1, "rfc7489")]
    [InlineData("addisonfoods.com!example.com!1536105600!1536191999.xml", "addisonfoods.com", "3ceb5548498640beaeb47327e202b0b9", 1, 1, "rfc7489")]
    [InlineData("empty_reason.xml", "example.org", "20240125141224705995", 1, 2, "rfc7489")]
    [InlineData("estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip", "XYZ Corporation", "2940", 1, 1, "rfc7489")]
    [InlineData("example.net!example.com!1529366400!1529452799.xml", "example.net", "b043f0e264cf4ea995e93765242f6dfb", 1, 1, "rfc7489")]
    [InlineData("fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz", "FastMail Pty Ltd", "102675056", 1, 1, "rfc7489")]
    [InlineData("ikea.com!example.de!1538690400!1538776800.xml", "ikea.com", "aggr_report_2018_10_05_5bc7e9b4f3e8a", 1, 1, "rfc7489")]
    [InlineData("mimecast-weird-gzip.eml", "Mimecast", "157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e", 1, 1, "rfc7489")]
    [InlineData("old_draft_from_wiki.xml", "acme.com", "9391651994964116463", 1, 2, "rfc7489")]
    [InlineData("protection.outlook.com!example.com!1711756800!1711843200.xml", "Outlook.com", "cfeafefe4129445e8c81018bd9177197", 1, 1, "rfc7489")]
    [InlineData("rfc9990-example.net!example.com!1700000000!1700086399.xml", "example.net", "dmarcbis-test-report-001", 2, 7, "rfc9990")]
    [InlineData("rfc9990-sample.xml", "Sample Reporter", "3v98abbp8ya9n3va8yr8oa3ya", 1, 123, "rfc9990")]
    [InlineData("twilight.eml", "google.com", "1627703331531660819", 1, 1, "rfc7489")]
    [InlineData("usssa.com!example.com!1538784000!1538870399.xml", "usssa.com", "8953b4d4a4ee4218b6ac0e2cb2667ee1", 2, 2, "rfc7489")]
    [InlineData("veeam.com!example.com!1530133200!1530219600.xml", "veeam.com", "sonexushealth.com:1530233361", 1, 1, "rfc7489")]
    public void EveryValidSampleGivesItsReport(string file, string reporter, string reportId, int records, int messages, string schema)
    {
        var outcome = Assert.Single(new DmarcReportReader().ReadFile(Corpora.PathOf("parsedmarc-samples/aggregate/" + file)));

        var report = outcome.Report ?? throw new Xunit.Sdk.XunitException(outcome.Sentence);
        Assert.Equal(reporter, report.ReporterOrg);
        Assert.Equal(reportId, report.ReportId);
        Assert.Equal(records, report.Records.Count);
        Assert.Equal((ulong)messages, (ulong)report.Records.Sum(r => (long)r.Count));
        Assert.Equal(schema, report.Schema);
    }

    [CorpusTheory]
    // parsedmarc's two broken samples: a bare '<' opening a tag inside <email> (line 5) and a byte 0xFF in <header_from> (line 31).
    [InlineData("invalid_xml.xml", "it is not well-formed XML (The '@' character, hexadecimal value 0x40, cannot be included in a name. Line 5, position 18)")]
    [InlineData("invalid_utf_8.xml", "it is not well-formed XML (Invalid character in the given encoding. Line 31, position 25)")]
    public void TheBrokenSamplesAreRefusedWithASentenceNamingTheFile(string file, string reason)
    {
        var path = Corpora.PathOf("parsedmarc-samples/aggregate/" + file);

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Null(outcome.Report);
        Assert.Equal($"{path}: refused: {reason}", outcome.Sentence);
    }

    [CorpusFact]
    public void TheRfc9990SampleKeepsItsPolicyAndAuthResults()
    {
        var report = new DmarcReportReader().ReadFile(Corpora.PathOf("parsedmarc-samples/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml"))[0].Report!;

        Assert.Equal(new DmarcPolicy("example.com", "s", "s", "reject", "quarantine", "reject", 100, "y"), report.Policy);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), report.Begin);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700086399), report.End);
        var spoofed = report.Records[1];
        Assert.Equal("::ffff:203.0.113.10", spoofed.SourceIp.ToString());
        Assert.Equal(("reject", "fail", "fail"), (spoofed.Disposition, spoofed.Dkim, spoofed.Spf));
        Assert.Equal(["other"], spoofed.Reasons);
        Assert.Equal(("example.com", "spoofed.example.com"), (spoofed.HeaderFrom, spoofed.EnvelopeFrom));
        Assert.Empty(spoofed.DkimResults);
        Assert.Equal([new DmarcAuthResult("spoofed.example.com", "mfrom", "fail")], spoofed.SpfResults);
        Assert.Equal([new DmarcAuthResult("example.com", "selector1", "pass")], report.Records[0].DkimResults);
    }

    [CorpusFact]
    public void UpperCaseKeywordsAreReadInLowerCase()
    {
        // parsedmarc keeps this one apart as invalid: its results say Pass and None. The meaning is plain, so it is read.
        var report = Assert.Single(new DmarcReportReader().ReadFile(Corpora.PathOf("parsedmarc-samples/aggregate_invalid/report_with_upper_cased_pass.xml"))).Report!;

        Assert.Equal("example.com", report.ReporterOrg);
        var record = Assert.Single(report.Records);
        Assert.Equal(("none", "pass", "pass"), (record.Disposition, record.Dkim, record.Spf));
        Assert.Equal("pass", Assert.Single(record.DkimResults).Result);
    }

    [Fact]
    public void AnEntityExpansionIsRefusedBeforeAnythingExpands()
    {
        var laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <feedback><report_metadata><org_name>&c;</org_name></report_metadata></feedback>
            """;
        var path = Write("laughs.xml", laughs);

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Equal($"{path}: refused: it declares a DTD, which a DMARC report never needs; refused so that no entity is expanded", outcome.Sentence);
    }

    [Fact]
    public void AnExternalEntityIsNeverFetched()
    {
        var path = Write("xxe.xml", """<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY x SYSTEM "file:///etc/passwd">]><feedback>&x;</feedback>""");

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Null(outcome.Report);
        Assert.StartsWith($"{path}: refused: it declares a DTD", outcome.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void AGzipBombStopsAtTheLimit()
    {
        var limits = new DmarcReadLimits { MaxReportBytes = 1 << 20 };
        var path = Write("bomb.xml.gz", DmarcReports.Gzip(new byte[8 << 20]));

        var outcome = Assert.Single(new DmarcReportReader(limits).ReadFile(path));

        Assert.Equal($"{path}: refused: its gzip expands past the limit of 1,048,576 bytes (a compression bomb, or not a report)", outcome.Sentence);
    }

    [Fact]
    public void AZipBombIsRefusedEntryByEntryAndTheGoodEntryStillLoads()
    {
        var limits = new DmarcReadLimits { MaxReportBytes = 1 << 20 };
        var path = Write("mixed.zip", DmarcReports.Zip(
            ("good.xml", Encoding.UTF8.GetBytes(DmarcReports.Xml("good-1"))),
            ("bomb.xml", new byte[4 << 20]),
            ("broken.xml", "<feedback><report_metadata>"u8.ToArray())));

        var outcomes = new DmarcReportReader(limits).ReadFile(path);

        Assert.Equal(3, outcomes.Count);
        Assert.Equal("good-1", outcomes[0].Report!.ReportId);
        Assert.Equal($"{path}!bomb.xml: refused: it would expand to 4,194,304 bytes, more than the limit of 1,048,576", outcomes[1].Sentence);
        Assert.StartsWith($"{path}!broken.xml: refused: it is not well-formed XML (Unexpected end of file", outcomes[2].Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void AZipOfManyEntriesIsRefused()
    {
        var entries = Enumerable.Range(0, 40).Select(i => ($"r{i}.xml", Encoding.UTF8.GetBytes(DmarcReports.Xml($"r{i}")))).ToArray();
        var path = Write("many.zip", DmarcReports.Zip(entries));

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Equal($"{path}: refused: its zip archive has 40 entries, more than the limit of 32", outcome.Sentence);
    }

    [Fact]
    public void AFileOverTheSizeLimitIsNotRead()
    {
        var path = Write("huge.xml", DmarcReports.Xml() + new string(' ', 5000));

        var outcome = Assert.Single(new DmarcReportReader(new DmarcReadLimits { MaxFileBytes = 4096 }).ReadFile(path));

        Assert.Matches(@"^.*huge\.xml: refused: the file is [0-9,]+ bytes, more than the limit of 4,096$", outcome.Sentence);
    }

    [Fact]
    public void AnEndlessXmlStopsAtTheCharacterLimit()
    {
        var path = Write("endless.xml", "<feedback><version>" + new string('1', 300_000) + "</version></feedback>");

        var outcome = Assert.Single(new DmarcReportReader(new DmarcReadLimits { MaxReportBytes = 100_000 }).ReadFile(path));

        Assert.Equal($"{path}: refused: its XML is longer than the limit of 100,000 characters", outcome.Sentence);
    }

    [Theory]
    [InlineData("<html><body>hello</body></html>", "it is not a DMARC aggregate report: its root element is <html>, and it has no <feedback>")]
    [InlineData("<feedback><report_metadata><org_name>x</org_name><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published></feedback>",
        "its report_metadata has no report_id, so it could not be loaded exactly once")]
    [InlineData("<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id><date_range><begin>soon</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated/></row></record></feedback>",
        "its date_range begin is not a time in seconds since 1970 ('soon')")]
    [InlineData("<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published><record><row><source_ip>999.1.1.1</source_ip><count>1</count><policy_evaluated/></row></record></feedback>",
        "record 1 has no valid source_ip ('999.1.1.1')")]
    [InlineData("<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>-4</count><policy_evaluated/></row></record></feedback>",
        "record 1 has no valid count ('-4')")]
    [InlineData("<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published></feedback>",
        "report 1 of x holds no record")]
    public void AReportThatCannotBeStoredFaithfullyIsRefusedWithItsReason(string xml, string reason)
    {
        var path = Write("report.xml", xml);

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Equal($"{path}: refused: {reason}", outcome.Sentence);
    }

    [Fact]
    public void AMailedZipOfAGzipIsFoundThroughEveryLayer()
    {
        var zip = DmarcReports.Zip(("inner.xml.gz", DmarcReports.Gzip(Encoding.UTF8.GetBytes(DmarcReports.Xml("nested-1")))));
        var path = Write("report.eml", DmarcReports.Message("r.zip", "application/zip", zip));

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Equal($"{path}!r.zip!inner.xml.gz", outcome.Source);
        Assert.Equal("nested-1", outcome.Report!.ReportId);
    }

    [Fact]
    public void AMessageWithoutAReportIsRefused()
    {
        var path = Write("note.eml", "From: a@b.example\r\nSubject: hello\r\n\r\nJust text.\r\n");

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.Equal($"{path}: refused: the message carries no DMARC aggregate report (no XML, JSON, gzip or zip attachment)", outcome.Sentence);
    }

    [Fact]
    public void AMissingFileIsRefusedNotThrown()
    {
        var path = Path.Combine(folder, "absent.xml");

        var outcome = Assert.Single(new DmarcReportReader().ReadFile(path));

        Assert.StartsWith($"{path}: refused: it could not be read (Could not find file", outcome.Sentence, StringComparison.Ordinal);
    }

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
