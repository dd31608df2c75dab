using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RelayWatch.Analysis.Evaluation;

/// <summary>
/// A simulation's truth cut down to what one vendor's relays saw, for <c>evaluate --vendor</c>: a record
/// stays when one of its <c>relays</c> is among them, and keeps only the address and network subjects
/// (and <c>detail.client_ips</c>, <c>detail.members</c>) that those relays' logs hold; subjects that are
/// not addresses (a forged domain of ours, a login) stay as they are. A record left with no subject goes.
/// An attacker that never reached the vendor cannot be found in its logs, so counting it would measure
/// the routing, not the detection.
/// </summary>
public static class VendorTruth
{
    public static IReadOnlyList<string> Restrict(IEnumerable<string> truthLines, IReadOnlySet<string> relays, IReadOnlySet<IPAddress> seen)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(relays);
        ArgumentNullException.ThrowIfNull(seen);
        var networks = new Dictionary<(System.Net.Sockets.AddressFamily, int), HashSet<IPNetwork>>();
        bool SeenIn(IPNetwork network)
        {
            var key = (network.BaseAddress.AddressFamily, network.PrefixLength);
            if (!networks.TryGetValue(key, out var set))
            {
                networks[key] = set = [.. seen.Where(a => a.AddressFamily == key.AddressFamily).Select(a => new IPNetwork(Masked(a, key.PrefixLength), key.PrefixLength))];
            }

            return set.Contains(network);
        }

        bool Keep(string text) => Subjects.ParseNetwork(text) is not { } network
            || (network.PrefixLength is 32 or 128 ? seen.Contains(network.BaseAddress) : SeenIn(network));

        var kept = new List<string>();
        foreach (var line in truthLines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            if (JsonNode.Parse(line) is not JsonObject record
                || record["relays"] is not JsonArray recordRelays
                || !recordRelays.Any(r => r?.GetValueKind() == JsonValueKind.String && relays.Contains(r.GetValue<string>())))
            {
                continue;
            }

            var subjects = Filter(record["subjects"] as JsonArray, Keep);
            if (subjects.Count == 0)
            {
                continue;
            }

            record["subjects"] = subjects;
            if (record["detail"] is JsonObject detail)
            {
                foreach (var list in new[] { "client_ips", "members" })
                {
                    if (detail[list] is JsonArray items)
                    {
                        detail[list] = Filter(items, Keep);
                    }
                }
            }

            kept.Add(record.ToJsonString());
        }

        return kept;
    }

    private static JsonArray Filter(JsonArray? items, Func<string, bool> keep) =>
        [.. (items ?? []).Where(i => i?.GetValueKind() == JsonValueKind.String && keep(i.GetValue<string>())).Select(i => JsonValue.Create(i!.GetValue<string>()))];

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
