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
}
