namespace RelayWatch.Analysis.Context;

/// <summary>
/// Who is behind an address: its autonomous system (0 when unknown), the AS's organisation and the
/// country (ISO 3166 code, empty when unknown). Organisation names come from files an operator loads
/// and are shown as text only.
/// </summary>
public sealed record NetworkContext(uint Asn, string Organisation, string Country)
{
    /// <summary>Whether there is anything to say.</summary>
    public bool IsKnown => Asn != 0 || Country.Length > 0;
}
