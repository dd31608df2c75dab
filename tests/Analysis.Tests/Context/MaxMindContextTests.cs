using System.Text.Json;
using RelayWatch.Analysis.Context;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Context;

/// <summary>
/// MaxMind's own test databases (../shared/geo), loaded into ClickHouse and read back through <c>dictGet</c>: every
/// network their JSON sources list must answer, at its first and last address, what the source says.
/// </summary>
public sealed class MaxMindContextTests
{
    [GeoFact]
    public async Task EveryAsnNetworkOfTheSourceAnswersItsAsAndOrganisationThroughDictGet()
    {
        await using var store = await LoadedStoreAsync();
        var expected = Source("GeoLite2-ASN-Test.json", data => (
            data.GetProperty("autonomous_system_number").GetUInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            data.TryGetProperty("autonomous_system_organization", out var o) ? o.GetString()! : string.Empty));

        var actual = await LookupAsync(store, expected.Keys, "toString(dictGet('network_context', 'asn', a))", "dictGet('network_context', 'organisation', a)");

        Assert.Contains(expected.Keys, k => k.Contains(':', StringComparison.Ordinal));
        Assert.Contains(expected.Keys, k => !k.Contains(':', StringComparison.Ordinal));
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [GeoFact]
    public async Task EveryCountryNetworkOfTheSourceAnswersItsCountryThroughDictGet()
    {
        await using var store = await LoadedStoreAsync();
        var expected = Source("GeoLite2-Country-Test.json", data => (
            Code(data, "country") ?? Code(data, "registered_country") ?? string.Empty, string.Empty));

        var actual = await LookupAsync(store, expected.Keys, "dictGet('network_context', 'country', a)", "''");

        Assert.Contains(expected.Values, v => v.Item1.Length == 0);

        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [GeoFact]
    public async Task AnAddressInNoNetworkHasNoContextAndTheKnownOnesReadBackAsSentences()
    {
        await using var store = await LoadedStoreAsync();

        var found = await new NetworkContextStore(store).LookupAsync(["1.128.0.1", "2001:1700::1", "192.0.2.1", "alice@example.org", "1.128.0.0/24"], CancellationToken.None);

        Assert.Equal("AS1221 Telstra Pty Ltd", NetworkContextText.Describe(found["1.128.0.1"]));
        Assert.Equal("AS1221 Telstra Pty Ltd", NetworkContextText.Describe(found["1.128.0.0/24"]));
        Assert.Equal("AS6730 Sunrise Communications AG", NetworkContextText.Describe(found["2001:1700::1"]));
        Assert.Equal(3, found.Count);
    }

    private static async Task<IClickHouseStore> LoadedStoreAsync()
    {
        var store = await TestEngine.OpenAsync();
        var rows = NetworkContextMerge.Merge(
            MaxMindDatabase.ReadAsn(Path.Combine(GeoFactAttribute.Path, "GeoLite2-ASN-Test.mmdb")),
            MaxMindDatabase.ReadCountry(Path.Combine(GeoFactAttribute.Path, "GeoLite2-Country-Test.mmdb")));
        await new NetworkContextStore(store).ReplaceAsync(rows, "maxmind", TimeProvider.System, CancellationToken.None);
        return store;
    }

    /// <summary>"first address of network" and "last address of network" → the value the JSON source gives the network.</summary>
    private static Dictionary<string, (string, string)> Source(string file, Func<JsonElement, (string, string)> value)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(GeoFactAttribute.Path, file)));
        var expected = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var entry in json.RootElement.EnumerateArray().SelectMany(e => e.EnumerateObject()))
        {
            Assert.True(IpNetwork.TryParse(entry.Name, out var network, out var error), error);
            var v = value(entry.Value);
            expected[Address(network.Address)] = v;
            expected[Address(network.Address | (network.PrefixLength == 128 ? UInt128.Zero : UInt128.MaxValue >> network.PrefixLength))] = v;
        }

        return expected;
    }

    /// <summary>Where a network is, else where it is registered; some networks of the source have a continent only.</summary>
    private static string? Code(JsonElement data, string key) =>
        data.TryGetProperty(key, out var country) && country.TryGetProperty("iso_code", out var code) ? code.GetString() : null;

    private static string Address(UInt128 address) => new IpNetwork(address, 128).ToString().Split('/')[0];

    private static async Task<Dictionary<string, (string, string)>> LookupAsync(IClickHouseStore store, IEnumerable<string> addresses, string first, string second)
    {
        // The addresses travel as rows, not as a query parameter: the server engine sends parameters in the URL.
        await store.ExecuteAsync("CREATE TABLE probe (s String) ENGINE = Memory", CancellationToken.None);
        var lines = System.Text.Encoding.UTF8.GetBytes(string.Concat(addresses.Select(a => JsonSerializer.Serialize(new { s = a }) + "\n")));
        await store.InsertAsync(new BulkInsert("probe", ["s"], "JSONEachRow"), (stream, token) => stream.WriteAsync(lines, token).AsTask(), CancellationToken.None);
        var rows = await store.QueryListAsync($"SELECT s, {first}, {second} FROM (SELECT s, toIPv6(s) AS a FROM probe)", null, CancellationToken.None);
        return rows.ToDictionary(r => r[0], r => (r[1], r[2]), StringComparer.Ordinal);
    }
}
