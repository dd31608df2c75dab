namespace RelayWatch.Ingest.Dmarc;

/// <summary>One failure detail of a TLS report policy: what went wrong (<c>certificate-expired</c>, <c>starttls-not-supported</c>, …), between which hosts, how often.</summary>
public sealed record TlsFailureDetail(string ResultType, string SendingMtaIp, string ReceivingMxHostname, string ReceivingIp, ulong FailedSessions, string FailureReasonCode);
