namespace RelayWatch.Analysis.Dmarc;

/// <summary>Our domains as others see them on one day: forgers (and which also hit our relays), our outbound failing, each domain's policy, failed TLS sessions toward our MX.</summary>
public sealed record DmarcDayView(
    DateOnly Day,
    IReadOnlyList<DmarcForger> Forgers,
    IReadOnlyList<DmarcOutboundFailure> OutboundFailures,
    IReadOnlyList<DmarcDomainPolicy> Domains,
    IReadOnlyList<TlsFailureCount> TlsFailures);
