using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Xml;
using System.Xml.Linq;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// Reads one aggregate report's XML into a <see cref="DmarcReport"/>. Both schemas, RFC 7489's (no namespace) and
/// RFC 9990's (<c>urn:ietf:params:xml:ns:dmarc-2.0</c>), are read by element local names, which they share. The XML
/// reader never processes a DTD (none is needed; a declaration is refused, so no entity expansion), never resolves
/// an external resource, and stops at <see cref="DmarcReadLimits.MaxReportBytes"/> characters.
/// Refusals are <see cref="DmarcRefusedException"/>s with one clause of reason.
/// </summary>
internal static class DmarcXml
{
    public const string Rfc9990Namespace = "urn:ietf:params:xml:ns:dmarc-2.0";

    private static readonly string[] Rfc9990OnlyPolicyFields = ["np", "testing", "discovery_method"];

    public static DmarcReport Parse(Stream xml, DmarcReadLimits limits)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = limits.MaxReportBytes,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = false,
        };
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            string? first = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                // The report is the <feedback> element, read alone: a real reporter (IKEA's, in parsedmarc's samples)
                // wraps it in an <xs:schema> it never closes, and what follows the report is none of our business.
                if (reader.LocalName == "feedback")
                {
                    using var report = reader.ReadSubtree();
                    return Read(XElement.Load(report), limits);
                }

                first ??= reader.LocalName;
            }

            throw new DmarcRefusedException(first is null
                ? "it holds no XML element"
                : $"it is not a DMARC aggregate report: its root element is <{Clip(first)}>, and it has no <feedback>");
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            throw new DmarcRefusedException("it declares a DTD, which a DMARC report never needs; refused so that no entity is expanded");
        }
        catch (XmlException e) when (e.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal))
        {
            throw new DmarcRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"its XML is longer than the limit of {limits.MaxReportBytes:N0} characters"));
        }
        catch (XmlException e)
        {
            throw new DmarcRefusedException($"it is not well-formed XML ({e.Message.TrimEnd('.')})");
        }
    }

    private static DmarcReport Read(XElement root, DmarcReadLimits limits)
    {
        var metadata = Required(root, "report_metadata");
        var published = Required(root, "policy_published");
        var range = Required(metadata, "date_range");
        var email = Text(metadata, "email");
        var org = Text(metadata, "org_name");
        if (org.Length == 0 && email.LastIndexOf('@') is var at and >= 0)
        {
            org = email[(at + 1)..];
        }

        var reportId = Text(metadata, "report_id");
        if (reportId.Length == 0)
        {
            throw new DmarcRefusedException("its report_metadata has no report_id, so it could not be loaded exactly once");
        }

        if (org.Length == 0)
        {
            throw new DmarcRefusedException("its report_metadata names no reporter (org_name and email are empty)");
        }

        var version = Text(root, "version");
        var schema = root.Name.NamespaceName == Rfc9990Namespace
            || version.StartsWith('2')
            || Rfc9990OnlyPolicyFields.Any(f => Child(published, f) is not null)
            ? "rfc9990"
            : "rfc7489";
        var policy = new DmarcPolicy(
            Domain: Text(published, "domain").ToLowerInvariant(),
            Adkim: Enumeration(published, "adkim", "r"),
            Aspf: Enumeration(published, "aspf", "r"),
            P: Enumeration(published, "p", string.Empty),
            Sp: Enumeration(published, "sp", string.Empty),
            Np: Enumeration(published, "np", string.Empty),
            Pct: Percent(published),
            Testing: Enumeration(published, "testing", string.Empty));
        if (policy.Domain.Length == 0)
        {
            throw new DmarcRefusedException("its policy_published has no domain");
        }

        var records = new List<DmarcRecord>();
        foreach (var record in Children(root, "record"))
        {
            if (records.Count == limits.MaxRecords)
            {
                throw new DmarcRefusedException(string.Create(CultureInfo.InvariantCulture, $"it holds more than the limit of {limits.MaxRecords:N0} records"));
            }

            records.Add(ReadRecord(record, records.Count + 1));
        }

        if (records.Count == 0)
        {
            throw new DmarcRefusedException($"report {Clip(reportId)} of {Clip(org)} holds no record");
        }

        return new DmarcReport(org, email, reportId, Time(range, "begin"), Time(range, "end"), schema, version, policy, records);
    }

    private static DmarcRecord ReadRecord(XElement record, int number)
    {
        var row = Required(record, "row", number);
        var evaluated = Required(row, "policy_evaluated", number);
        var identifiers = Child(record, "identifiers");
        var auth = Child(record, "auth_results");
        var ipText = Text(row, "source_ip");
        if (!IPAddress.TryParse(ipText, out var ip) || ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new DmarcRefusedException($"record {number.ToString(CultureInfo.InvariantCulture)} has no valid source_ip ('{Clip(ipText)}')");
        }

        var countText = Text(row, "count");
        if (!ulong.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new DmarcRefusedException($"record {number.ToString(CultureInfo.InvariantCulture)} has no valid count ('{Clip(countText)}')");
        }

        return new DmarcRecord(
            SourceIp: ip.IsIPv4MappedToIPv6 ? ip : ip.MapToIPv6(),
            Count: count,
            Disposition: Enumeration(evaluated, "disposition", string.Empty),
            Dkim: Enumeration(evaluated, "dkim", string.Empty),
            Spf: Enumeration(evaluated, "spf", string.Empty),
            Reasons: [.. Children(evaluated, "reason").Select(r => Enumeration(r, "type", string.Empty)).Where(t => t.Length > 0)],
            HeaderFrom: identifiers is null ? string.Empty : Text(identifiers, "header_from").ToLowerInvariant(),
            EnvelopeFrom: identifiers is null ? string.Empty : Text(identifiers, "envelope_from").ToLowerInvariant(),
            EnvelopeTo: identifiers is null ? string.Empty : Text(identifiers, "envelope_to").ToLowerInvariant(),
            DkimResults: auth is null ? [] : [.. Children(auth, "dkim").Select(d => new DmarcAuthResult(Text(d, "domain").ToLowerInvariant(), Text(d, "selector"), Enumeration(d, "result", string.Empty)))],
            SpfResults: auth is null ? [] : [.. Children(auth, "spf").Select(s => new DmarcAuthResult(Text(s, "domain").ToLowerInvariant(), Enumeration(s, "scope", string.Empty), Enumeration(s, "result", string.Empty)))]);
    }

    private static DateTimeOffset Time(XElement range, string name)
    {
        var text = Text(range, name);

        // DateTime('UTC') holds 1970 to 2106: the unsigned 32-bit seconds.
        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new DmarcRefusedException($"its date_range {name} is not a time in seconds since 1970 ('{Clip(text)}')");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    private static byte Percent(XElement published)
    {
        var text = Text(published, "pct");
        if (text.Length == 0)
        {
            return 100;
        }

        return byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pct) && pct <= 100
            ? pct
            : throw new DmarcRefusedException($"its policy_published pct is not a percentage ('{Clip(text)}')");
    }

    /// <summary>
    /// A keyword, trimmed and in lower case: the schemas spell them in lower case, but real reporters write
    /// <c>Pass</c> and <c>None</c> too (parsedmarc's aggregate_invalid sample); the meaning is not in doubt, so they are read.
    /// </summary>
    private static string Enumeration(XElement parent, string name, string absent)
    {
        var text = Text(parent, name).ToLowerInvariant();
        return text.Length == 0 ? absent : text;
    }

    private static string Text(XElement parent, string name) => Child(parent, name)?.Value.Trim() ?? string.Empty;

    private static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    private static XElement Required(XElement parent, string name, int record = 0) =>
        Child(parent, name) ?? throw new DmarcRefusedException(record == 0
            ? $"it has no <{name}> in <{parent.Name.LocalName}>"
            : $"record {record.ToString(CultureInfo.InvariantCulture)} has no <{name}> in <{parent.Name.LocalName}>");

    /// <summary>Attacker-written text quoted in a sentence: at most 80 characters.</summary>
    private static string Clip(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
