using RelayWatch.Analysis.Dmarc;

namespace RelayWatch.Reports.Content;

/// <summary>
/// Our domains as others see them on the day, from the DMARC aggregate and SMTP TLS reports covering it, joined with
/// the relays' own logs (<see cref="DmarcView"/>). Null in the report when no such report covers the day.
/// </summary>
/// <param name="Domains">Per domain of ours: the policy published, pass/fail counts and the advice for the next step.</param>
/// <param name="ForgerCount">All sources failing DMARC as our domains on the day.</param>
/// <param name="ForgersOnOurRelays">Of them, those that also hit our relays that day.</param>
/// <param name="Forgers">The first of them (at most 50), those that also hit our relays first, then by messages.</param>
/// <param name="OutboundFailures">Our own relays and networks whose mail receivers saw failing SPF or DKIM.</param>
/// <param name="TlsFailures">Failed TLS sessions toward our MX, per domain and result type.</param>
public sealed record OurDomainsSection(
    IReadOnlyList<DmarcDomainPolicy> Domains,
    int ForgerCount,
    int ForgersOnOurRelays,
    IReadOnlyList<DmarcForger> Forgers,
    IReadOnlyList<DmarcOutboundFailure> OutboundFailures,
    IReadOnlyList<TlsFailureCount> TlsFailures);
