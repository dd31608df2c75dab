namespace RelayWatch.Analysis.Context;

/// <summary>One row of <c>network_context_networks</c>: a network and what is known about it.</summary>
public sealed record NetworkContextRow(IpNetwork Network, uint Asn, string Organisation, string Country);
