namespace RelayWatch.Analysis.Estate;

/// <summary>
/// What is ours, as the configuration file's <c>estate</c> section says. Everything is optional:
/// what is not configured is inferred from the data (<see cref="EstateResolver"/>).
/// </summary>
public sealed class EstateSettings
{
    /// <summary>The mail domains we receive for; subdomains count as ours too.</summary>
    public IReadOnlyList<string>? ProtectedDomains { get; set; }

    /// <summary>
    /// Our networks (CIDR or single addresses): mail servers, gateways, users. Private address space
    /// is always internal; list here what is ours and public.
    /// </summary>
    public IReadOnlyList<string>? InternalNetworks { get; set; }

    /// <summary>
    /// Our relays' own addresses (single addresses or CIDR), never listed by a blocklist whatever the
    /// findings say. Relays seen in the logs are added to these (<see cref="OurEstate.RelayAddresses"/>);
    /// list here the public addresses of relays the logs do not name that way.
    /// </summary>
    public IReadOnlyList<string>? RelayAddresses { get; set; }
}
