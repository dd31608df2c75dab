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
        var configuredNetworks = (settings.InternalNetworks ?? []).Select(Canonical).ToList();
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

        return new OurEstate(domains, configuredDomains is not { Count: > 0 }, internalNetworks, mailServers, relays);
    }

    private static string Canonical(string network) =>
        Subjects.ParseNetwork(network.Trim())?.ToString()
        ?? throw new ArgumentException($"'{network}' in estate.internalNetworks is not an address or a network such as 192.0.2.0/24.", nameof(network));
}
