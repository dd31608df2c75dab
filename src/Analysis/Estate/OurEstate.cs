namespace RelayWatch.Analysis.Estate;

/// <summary>What the detectors treat as ours, and where each part came from.</summary>
/// <param name="ProtectedDomains">Domains we receive for.</param>
/// <param name="DomainsInferred">True when <paramref name="ProtectedDomains"/> came from the data, not the configuration.</param>
/// <param name="InternalNetworks">Networks whose clients are ours: private space, configured ones, and our inferred mail servers.</param>
/// <param name="MailServers">Internal hosts our relays hand inbound mail to (Domino, Exchange), as seen in the data.</param>
/// <param name="Relays">Our relays: the hosts that wrote the logs.</param>
/// <param name="RelayAddresses">
/// Our relays' own addresses, canonical: the configured ones, relay names that are addresses, and the
/// addresses our internal mail servers logged a relay connecting from under its name. Never listed.
/// </param>
public sealed record OurEstate(
    IReadOnlyList<string> ProtectedDomains,
    bool DomainsInferred,
    IReadOnlyList<string> InternalNetworks,
    IReadOnlyList<string> MailServers,
    IReadOnlyList<string> Relays,
    IReadOnlyList<string> RelayAddresses)
{
    /// <summary>Address space that is never the Internet: RFC 1918, loopback, link-local, ULA, the unspecified address (mail made locally).</summary>
    public static IReadOnlyList<string> PrivateNetworks { get; } =
    [
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",
        "::/128", "::1/128", "fc00::/7", "fe80::/10",
    ];
}
