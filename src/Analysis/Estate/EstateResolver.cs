using System.Globalization;
using RelayWatch.Analysis.Detection;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Estate;

/// <summary>
/// Settles what is ours for a detection window: the configuration where it says, the data where
/// it does not. Our mail servers are the internal addresses our relays hand mail to; our domains
/// are the recipient domains of that inbound mail.
/// </summary>
public static class EstateResolver
{
    /// <summary>Days of history the inference reads, ending with the detected day.</summary>
    public const int InferenceDays = 30;

    // A domain must have had this many inbound deliveries to count as ours.
    private const int MinInboundDeliveries = 3;

    /// <exception cref="ArgumentException">A configured network is not an address or CIDR.</exception>
    public static async Task<OurEstate> ResolveAsync(IClickHouseStore store, EstateSettings settings, DateOnly day, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        var configuredNetworks = (settings.InternalNetworks ?? []).Select(n => Canonical(n)).ToList();
        var internalNetworks = OurEstate.PrivateNetworks.Concat(configuredNetworks).Distinct(StringComparer.Ordinal).ToList();
        var parameters = new Dictionary<string, string>
        {
            ["from"] = day.AddDays(1 - InferenceDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["internal_networks"] = SqlText.QuoteArray(internalNetworks),
        };

        var relays = (await store.QueryListAsync(
            $$"""SELECT DISTINCT relay FROM smtp_events WHERE toDate(ts) BETWEEN {from:Date} AND {day:Date} AND {{Sql.AtEdge}} ORDER BY relay""",
            parameters, cancellationToken).ConfigureAwait(false)).Select(r => r[0]).ToList();

        var inbound = await store.QueryListAsync($$"""
            SELECT {{Detection.Sql.NextHopAddress}} AS hop, {{Detection.Sql.RcptDomain}} AS domain, count() AS deliveries
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {from:Date} AND {day:Date} AND event = 'delivery' AND rcpt_to LIKE '%@%'
              AND hop != '::' AND arrayExists(n -> isIPAddressInRange(hop, n), {internal_networks:Array(String)})
            GROUP BY hop, domain
            ORDER BY deliveries DESC, domain
            """, parameters, cancellationToken).ConfigureAwait(false);
        var mailServers = inbound.Select(r => r[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var configuredDomains = settings.ProtectedDomains?.Select(d => d.Trim().TrimEnd('.').ToLowerInvariant()).Where(d => d.Length > 0).ToList();
        var domains = configuredDomains is { Count: > 0 }
            ? configuredDomains
            : [.. inbound.GroupBy(r => r[1], StringComparer.Ordinal)
                .Where(g => g.Sum(r => long.Parse(r[2], CultureInfo.InvariantCulture)) >= MinInboundDeliveries)
                .Select(g => g.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        var relayAddresses = await RelayAddressesAsync(store, settings, relays, parameters, cancellationToken).ConfigureAwait(false);
        return new OurEstate(domains, configuredDomains is not { Count: > 0 }, internalNetworks, mailServers, relays, relayAddresses);
    }

    /// <summary>
    /// Our relays' own addresses: the configured ones; relay names that are addresses (a relay that logs
    /// by address); and the client address under which an internal mail server (Domino, behind the
    /// relays) logged a relay connecting, named as the relay (<c>mx1</c>, or <c>mx1.</c>… for relay
    /// <c>mx1</c>). Only internal servers' rows count: at the edge the client's name is the attacker's
    /// to choose, and a name alone must never shield an address from the blocklist.
    /// </summary>
    private static async Task<IReadOnlyList<string>> RelayAddressesAsync(
        IClickHouseStore store, EstateSettings settings, IReadOnlyList<string> relays, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var configured = (settings.RelayAddresses ?? []).Select(a => Canonical(a, "estate.relayAddresses"));
        // Literally an address, not merely something IPAddress would read as one ("1234" is 0.0.4.210).
        var named = relays.Where(r => string.Equals(Subjects.Canonical(r), r, StringComparison.OrdinalIgnoreCase));
        var seen = relays.Count == 0 ? [] : await store.QueryListAsync(
            $$"""
            SELECT DISTINCT {{Sql.ClientIp}} AS ip
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {from:Date} AND {day:Date} AND NOT ({{Sql.AtEdge}}) AND client_ip != toIPv6('::')
              AND arrayExists(r -> lower(client_host) = r OR startsWith(lower(client_host), concat(r, '.')), {relays:Array(String)})
            ORDER BY ip
            """,
            new Dictionary<string, string>(parameters) { ["relays"] = SqlText.QuoteArray([.. relays.Select(r => r.ToLowerInvariant())]) },
            cancellationToken).ConfigureAwait(false);
        return [.. configured.Concat(named).Concat(seen.Select(r => r[0])).Select(a => Subjects.Canonical(a)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static string Canonical(string network, string setting = "estate.internalNetworks") =>
        Subjects.ParseNetwork(network.Trim())?.ToString()
        ?? throw new ArgumentException($"'{network}' in {setting} is not an address or a network such as 192.0.2.0/24.", nameof(network));
}
