namespace RelayWatch.Reports.Content;

/// <summary>
/// Where the day's attack traffic came from, by network (AS and organisation) and by country, from the network context
/// (<c>relaywatch context load</c>). The attack traffic is the addresses the day's findings blame — a finding's
/// subject when it is an address, the members its evidence lists when it blames a network or a campaign — that sent
/// anything to our relays that day; backscatter's bouncing servers and our own relays are not attackers and are left
/// out. Null in the report when no network context is loaded.
/// </summary>
/// <param name="Addresses">Attacking addresses of the day.</param>
/// <param name="Events">Their rows in <c>smtp_events</c> on the day.</param>
/// <param name="Networks">The busiest networks (at most <see cref="Shown"/>), by addresses then events; AS 0 is addresses the context does not know.</param>
/// <param name="Countries">The busiest countries (at most <see cref="Shown"/>) the same way; an empty country is unknown.</param>
public sealed record AttackNetworksSection(
    long Addresses,
    long Events,
    IReadOnlyList<AttackNetworksSection.Network> Networks,
    IReadOnlyList<AttackNetworksSection.Country> Countries)
{
    /// <summary>Rows of each table.</summary>
    public const int Shown = 10;

    /// <param name="Refused">Of the events, refusals (<c>rcpt_reject</c> and <c>reject</c>).</param>
    public sealed record Network(uint Asn, string Organisation, string Country, long Addresses, long Events, long Refused);

    public sealed record Country(string Code, long Addresses, long Events, long Refused);
}
