namespace RelayWatch.Ingest.Dmarc;

/// <summary>One policy of a TLS report (<c>sts</c>, <c>tlsa</c>, <c>no-policy-found</c>) with its session counts and failure details.</summary>
public sealed record TlsReportPolicy(
    string PolicyType,
    string PolicyDomain,
    IReadOnlyList<string> MxHosts,
    ulong SuccessfulSessions,
    ulong FailedSessions,
    IReadOnlyList<TlsFailureDetail> Failures);
