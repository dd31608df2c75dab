namespace RelayWatch.Analysis.Dmarc;

/// <summary>Failed TLS sessions toward one of our domains' MX hosts, of one result type, as SMTP TLS reports (RFC 8460) count them.</summary>
public sealed record TlsFailureCount(string Domain, string ResultType, ulong Sessions, IReadOnlyList<string> Reporters);
