using System.Globalization;
using System.Text;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Who is behind the simulated world's addresses: invented organisations on documentation AS numbers
/// (64496–64511, 65536–65551), one row per network an actor draws from, written as the context CSV
/// (<c>network,asn,organisation,country</c>) that <c>relaywatch context load --csv</c> reads. A more specific
/// network wins over the one that holds it, as in any <c>ip_trie</c> lookup. Also our relays' public
/// addresses, from which receivers see our outbound mail.
/// </summary>
internal static class SimulatedNetworks
{
    /// <summary>The file under the simulation's output folder.</summary>
    public const string CsvFile = "context.csv";

    /// <summary>The networks, broad ones first; each names the actors that draw from it.</summary>
    public static IReadOnlyList<(string Network, uint Asn, string Organisation, string Country)> Rows { get; } =
    [
        // 192.0.2.0/24: the big providers and partners (NormalTraffic, OutboundMail's far side, AuthenticatedSenders' smarthosts).
        ("192.0.2.0/24", 64496, "Example Mail Services", "US"),
        ("192.0.2.96/28", 64497, "Bigmail Example Inc", "US"),
        ("192.0.2.200/29", 64498, "Partner Networks Example", "GB"),
        // Hosts that accept and bounce (AcceptThenBounce) and relay-abusing servers (OpenRelayAbuse).
        ("192.0.2.224/27", 64499, "Cheap VPS Example", "RO"),
        // 198.51.100.0/24: mixed transit; spoofers (SpoofedSender 100–139) at the hosting company the issue names.
        ("198.51.100.0/24", 64501, "Transit Example Networks", "DE"),
        ("198.51.100.96/27", 64500, "Example Hosting", "NL"),
        ("198.51.100.128/28", 64500, "Example Hosting", "NL"),
        // Our own relays' public addresses (PublicAddress below).
        ("198.51.100.61/32", 64510, "Ours Example Corp", "GB"),
        ("198.51.100.62/32", 64510, "Ours Example Corp", "GB"),
        ("198.51.100.63/32", 64510, "Ours Example Corp", "GB"),
        ("198.51.100.64/32", 64510, "Ours Example Corp", "GB"),
        ("198.51.100.65/32", 64510, "Ours Example Corp", "GB"),
        // Forgers seen only by other receivers, and the forwarders that pass our mail on.
        ("198.51.100.140/30", 64502, "Bulletproof Example Ltd", "SC"),
        ("198.51.100.144/30", 64502, "Bulletproof Example Ltd", "SC"),
        ("198.51.100.92/30", 64503, "Alumni Forwarding Example", "US"),
        // Relay probes and password guessers (RelayProbe 150–249, SaslBruteForce 200–249).
        ("198.51.100.152/29", 64504, "Dedicated Servers Example", "PA"),
        ("198.51.100.160/27", 64504, "Dedicated Servers Example", "PA"),
        ("198.51.100.192/26", 64504, "Dedicated Servers Example", "PA"),
        // Harvesters (DirectoryHarvest).
        ("203.0.113.0/24", 64505, "Residential Broadband Example", "BR"),
        // The harder world's senders and the low-and-slow harvest (AddressSpace, SlowHarvest).
        ("198.18.0.0/16", 64506, "Benchmark Cloud Example", "US"),
        // A provider whose rented servers harvest together (AsCampaignHarvest): the /24s and /48s of its AS's band.
        ("198.18.180.0/22", AsCampaignHarvest.Asn, "Rented Servers Example", "LT"),
        ("198.18.184.0/22", AsCampaignHarvest.Asn, "Rented Servers Example", "LT"),
        ("2001:db8:a000::/40", AsCampaignHarvest.Asn, "Rented Servers Example", "LT"),
        // Bots (SpamBotnet) and small senders (SmallSenders).
        ("198.19.0.0/17", 64508, "Consumer Cable Example", "VN"),
        ("198.19.128.0/17", 64509, "Small Business ISP Example", "FR"),
        // IPv6: one documentation prefix, carved up the same way.
        ("2001:db8::/32", 65536, "Example IPv6 Transit", "DE"),
        ("2001:db8:1::/48", 65537, "Example Mail Services", "US"),
        ("2001:db8:bad::/48", 65538, "Example Hosting", "NL"),
        ("2001:db8:b07::/48", 65539, "Consumer Cable Example", "VN"),
        ("2001:db8:e000::/36", 65540, "Small Business ISP Example", "FR"),
        ("2001:db8:f0e::/48", 65541, "Bulletproof Example Ltd", "SC"),
        ("2001:db8:f0f::/48", 65542, "Alumni Forwarding Example", "US"),
    ];

    /// <summary>
    /// The public address receivers see our relay's outbound mail from: 198.51.100.61 for the first site's
    /// relay, .62 for the second's, and so on. The logs never show it (the relays log their inside
    /// address, <see cref="MxRouting.InsideAddress"/>); an operator lists it in <c>estate.relayAddresses</c>.
    /// </summary>
    public static string PublicAddress(string relay) =>
        string.Create(CultureInfo.InvariantCulture, $"198.51.100.{61 + MxRouting.Sites.Select(s => s.Relay).ToList().IndexOf(relay)}");

    public static void WriteCsv(string path)
    {
        var text = new StringBuilder("network,asn,organisation,country\n");
        foreach (var (network, asn, organisation, country) in Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{network},{asn},{organisation},{country}\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}
