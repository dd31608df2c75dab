using System.Text;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DmarcCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [CorpusFact]
    public async Task TheSampleFolderLoadsOnceAndTheBrokenFilesAreNamed()
    {
        var data = directory.Combine("data");
        var samples = Path.Combine(RepositoryFolders.Corpora, "parsedmarc-samples", "aggregate");

        var first = await RelayWatchProcess.RunAsync("--data", data, "dmarc", "load", samples);
        var second = await RelayWatchProcess.RunAsync("--data", data, "dmarc", "load", samples);
        var rows = await RelayWatchProcess.RunAsync("--data", data, "query", "SELECT count(), sum(count) FROM dmarc_records");

        // 17 reports of 19 files, 2,304 records counting 2,433 messages: hand-derived in Ingest.Tests' DmarcReportReaderTests.
        Assert.Equal(1, first.ExitCode);
        Assert.Contains("DMARC reports from 19 file(s): 17 new report(s) with 2,304 record(s) counting 2,433 message(s); 0 already stored (skipped); 2 refused.\n", first.Output, StringComparison.Ordinal);
        Assert.Contains($"{samples}/twilight.eml: 1 new, 0 already stored, 0 refused\n", first.Output, StringComparison.Ordinal);
        Assert.Equal(
            $"relaywatch: {samples}/invalid_utf_8.xml: refused: it is not well-formed XML (Invalid character in the given encoding. Line 31, position 25).\n" +
            $"relaywatch: {samples}/invalid_xml.xml: refused: it is not well-formed XML (The '@' character, hexadecimal value 0x40, cannot be included in a name. Line 5, position 18).\n",
            first.Error);
        Assert.Contains("DMARC reports from 19 file(s): 0 new report(s) with 0 record(s) counting 0 message(s); 17 already stored (skipped); 2 refused.\n", second.Output, StringComparison.Ordinal);
        Assert.Equal("2304\t2433\n", rows.Output);
    }

    [Fact]
    public async Task TheSameReportInTwoFilesIsStoredOnceAndTheRunSucceeds()
    {
        var data = directory.Combine("data");
        var reports = directory.Combine("reports");
        Directory.CreateDirectory(reports);
        await File.WriteAllTextAsync(Path.Combine(reports, "a.xml"), Report("same-1"));
        await File.WriteAllTextAsync(Path.Combine(reports, "b.xml"), Report("same-1"));

        var load = await RelayWatchProcess.RunAsync("--data", data, "dmarc", "load", reports);

        Assert.True(load.ExitCode == 0, load.Error);
        Assert.Equal(
            $"{reports}/a.xml: 1 new, 0 already stored, 0 refused\n{reports}/b.xml: 0 new, 1 already stored, 0 refused\n" +
            "DMARC reports from 2 file(s): 1 new report(s) with 1 record(s) counting 6 message(s); 1 already stored (skipped); 0 refused.\n",
            load.Output);
    }

    [Fact]
    public async Task AMissingPathIsBadUsage()
    {
        var missing = directory.Combine("nowhere");

        var load = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "dmarc", "load", missing);

        Assert.Equal(2, load.ExitCode);
        Assert.Equal($"relaywatch: {missing} does not exist.\n", load.Error);
    }

    [Fact]
    public async Task FetchWithoutAServerIsBadUsage()
    {
        var fetch = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "dmarc", "fetch", "--user", "reports");

        Assert.Equal(2, fetch.ExitCode);
        Assert.Equal("relaywatch: dmarc.imap.host (--host) is required: the IMAP server that receives the reports.\n", fetch.Error);
    }

    [Fact]
    public async Task FetchReadsTheMailboxTheConfigurationNamesOnce()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var message = directory.Combine("report.eml");
        await File.WriteAllTextAsync(message, string.Join("\r\n",
            "From: dmarc@receiver.example", "To: dmarc-reports@ours.example", "Subject: Report Domain: ours.example", "MIME-Version: 1.0",
            "Content-Type: application/xml", "Content-Disposition: attachment; filename=\"r.xml\"", "Content-Transfer-Encoding: base64", string.Empty,
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Report("mailed-1")), Base64FormattingOptions.InsertLineBreaks), string.Empty));
        await dovecot.DeliverAsync(message);
        var passwordFile = directory.Combine("imap-password");
        await File.WriteAllTextAsync(passwordFile, DovecotServer.Password + "\n");
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, $$"""
            { "dmarc": { "imap": { "host": "127.0.0.1", "port": {{dovecot.Port}}, "security": "none", "user": "{{DovecotServer.User}}", "passwordFile": "{{passwordFile}}" } } }
            """);
        var data = directory.Combine("data");

        var first = await RelayWatchProcess.RunAsync("--data", data, "--config", config, "dmarc", "fetch");
        var second = await RelayWatchProcess.RunAsync("--data", data, "--config", config, "dmarc", "fetch");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(
            "imap:INBOX/1: 1 new report(s), 0 already stored; marked seen\n" +
            "DMARC reports from 1 message(s) of INBOX: 1 new report(s) with 1 record(s) counting 6 message(s); 0 already stored (skipped); 0 refused.\n",
            first.Output);
        Assert.Equal("DMARC reports from 0 message(s) of INBOX: 0 new report(s) with 0 record(s) counting 0 message(s); 0 already stored (skipped); 0 refused.\n", second.Output);
        Assert.Equal((1, 0), await dovecot.CountAsync());
    }

    [Fact]
    public async Task ShowJoinsTheReportsWithWhatOurRelaysSawThatDay()
    {
        var data = directory.Combine("data");
        var log = directory.Combine("mail.log");
        await File.WriteAllTextAsync(log,
            "Nov 24 10:00:00 mx1 postfix/smtpd[2101]: connect from unknown[203.0.113.9]\n" +
            "Nov 24 10:00:01 mx1 postfix/smtpd[2101]: disconnect from unknown[203.0.113.9] ehlo=1 quit=1 commands=2\n");
        var report = directory.Combine("r.xml");
        await File.WriteAllTextAsync(report, Report("show-1").Replace("</record>", """
            </record>
            <record><row><source_ip>198.51.100.50</source_ip><count>4</count><policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>ours.example</header_from></identifiers></record>
            <record><row><source_ip>192.0.2.25</source_ip><count>100</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>ours.example</header_from></identifiers></record>
            <record><row><source_ip>192.0.2.25</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>ours.example</header_from></identifiers></record>
            """, StringComparison.Ordinal));
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, """{ "estate": { "protectedDomains": ["ours.example"], "relayAddresses": ["192.0.2.25"] } }""");

        var none = await RelayWatchProcess.RunAsync("--data", data, "--config", config, "dmarc", "show");
        await RelayWatchProcess.RunAsync("--data", data, "ingest", "--year", "2026", "--relay", "mx1", log);
        await RelayWatchProcess.RunAsync("--data", data, "dmarc", "load", report);
        var show = await RelayWatchProcess.RunAsync("--data", data, "--config", config, "dmarc", "show");

        Assert.Equal(1, none.ExitCode);
        Assert.Equal("relaywatch: No DMARC reports are stored yet; load them first (relaywatch dmarc load PATH, or dmarc fetch).\n", none.Error);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Equal(
            """
            DMARC reports covering 2026-11-24. Ours: domains ours.example; mail servers none seen; relays mx1

            Our domains as others see them:
              ours.example  p=none pct=100: 113 message(s); ours 103 (0 failing DMARC); others failing DMARC 10 (6 delivered). our mail passes; 6 forged message(s) were delivered under p=none: move to p=quarantine.

            Sending as our domains and failing DMARC (1 of 2 also hit our relays that day):
              203.0.113.9            6 message(s) as ours.example; reported by receiver.example (none); also hit our relays mx1 (2 event(s))
              198.51.100.50          4 message(s) as ours.example; reported by receiver.example (reject); not seen by our relays

            Our own mail failing SPF or DKIM at receivers (1 source(s)):
              192.0.2.25           103 message(s): DKIM failing 3, SPF failing 0, DMARC failing 0; as ours.example; reported by receiver.example

            Failed TLS sessions toward our MX (SMTP TLS reports):
              none reported for this day

            """,
            show.Output);
    }

    private static string Report(string id) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback>
          <report_metadata><org_name>receiver.example</org_name><email>dmarc@receiver.example</email><report_id>{id}</report_id>
            <date_range><begin>1795478400</begin><end>1795564799</end></date_range></report_metadata>
          <policy_published><domain>ours.example</domain><p>none</p></policy_published>
          <record>
            <row><source_ip>203.0.113.9</source_ip><count>6</count>
              <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>ours.example</header_from></identifiers>
            <auth_results><spf><domain>ours.example</domain><result>fail</result></spf></auth_results>
          </record>
        </feedback>
        """;
}
