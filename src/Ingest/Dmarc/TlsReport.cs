namespace RelayWatch.Ingest.Dmarc;

/// <summary>One SMTP TLS report (RFC 8460): a sending organisation's account of its TLS sessions with our MX hosts. Identity: (<see cref="ReporterOrg"/>, <see cref="ReportId"/>).</summary>
public sealed record TlsReport(
    string ReporterOrg,
    string ContactInfo,
    string ReportId,
    DateTimeOffset Begin,
    DateTimeOffset End,
    IReadOnlyList<TlsReportPolicy> Policies);
