namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// One DMARC aggregate report (RFC 7489 appendix C, or RFC 9990's schema): who reported, for which range, the policy
/// they found published, and what they saw. Identity: (<see cref="ReporterOrg"/>, <see cref="ReportId"/>).
/// </summary>
/// <param name="ReporterOrg">org_name, trimmed; when empty, the domain of <paramref name="ReporterEmail"/> (some reporters leave it blank).</param>
/// <param name="Schema"><c>rfc9990</c> (namespace urn:ietf:params:xml:ns:dmarc-2.0, version 2.0, or RFC 9990-only policy fields), else <c>rfc7489</c>.</param>
/// <param name="Version">The report's &lt;version&gt; as written; empty when absent (the pre-RFC draft has none).</param>
public sealed record DmarcReport(
    string ReporterOrg,
    string ReporterEmail,
    string ReportId,
    DateTimeOffset Begin,
    DateTimeOffset End,
    string Schema,
    string Version,
    DmarcPolicy Policy,
    IReadOnlyList<DmarcRecord> Records);
