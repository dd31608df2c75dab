using System.IO.Compression;
using System.Text;

namespace RelayWatch.Ingest.Tests.Dmarc;

/// <summary>Aggregate reports written by us for the tests, in RFC 7489's shape, and the containers they travel in.</summary>
internal static class DmarcReports
{
    public static string Xml(string reportId = "r-1", string org = "receiver.example", string domain = "ours.example", params (string Ip, int Count, string Dkim, string Spf)[] records)
    {
        var rows = new StringBuilder();
        foreach (var (ip, count, dkim, spf) in records.Length == 0 ? [("192.0.2.10", 3, "fail", "fail")] : records)
        {
            rows.Append($"""
                <record>
                  <row><source_ip>{ip}</source_ip><count>{count}</count>
                    <policy_evaluated><disposition>none</disposition><dkim>{dkim}</dkim><spf>{spf}</spf></policy_evaluated></row>
                  <identifiers><header_from>{domain}</header_from></identifiers>
                  <auth_results><spf><domain>{domain}</domain><result>{spf}</result></spf></auth_results>
                </record>
                """);
        }

        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
              <report_metadata><org_name>{org}</org_name><email>dmarc@{org}</email><report_id>{reportId}</report_id>
                <date_range><begin>1795478400</begin><end>1795564799</end></date_range></report_metadata>
              <policy_published><domain>{domain}</domain><p>none</p><pct>100</pct></policy_published>
              {rows}
            </feedback>
            """;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return output.ToArray();
    }

    /// <summary>A mail message carrying <paramref name="attachment"/> the way reporters send them: a short text and the file, base64.</summary>
    public static string Message(string fileName, string contentType, byte[] attachment, string messageId = "<report-1@receiver.example>") =>
        $"""
        From: dmarc@receiver.example
        To: dmarc-reports@ours.example
        Subject: Report Domain: ours.example Submitter: receiver.example
        Message-ID: {messageId}
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain

        This is an aggregate report from receiver.example.
        --b1
        Content-Type: {contentType}; name="{fileName}"
        Content-Disposition: attachment; filename="{fileName}"
        Content-Transfer-Encoding: base64

        {Convert.ToBase64String(attachment, Base64FormattingOptions.InsertLineBreaks)}
        --b1--

        """.ReplaceLineEndings("\r\n");
}
