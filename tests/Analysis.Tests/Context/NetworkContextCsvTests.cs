using RelayWatch.Analysis.Context;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Context;

/// <summary>An operator's own CSV of networks: read exactly, bad rows refused by line, hostile names kept as text.</summary>
public sealed class NetworkContextCsvTests
{
    // Documentation ranges (RFC 5737, RFC 3849) and AS numbers (RFC 5398): what the simulator uses too.
    private const string Hostile = "Evil \"Hosting\"\r\nLtd\u202Egnp.exe, ,;DROP TABLE x";

    private static readonly string Csv =
        "network,asn,organisation,country\n" +
        "203.0.113.0/24,64500,Example Hosting,NL\n" +
        "203.0.113.128/25,AS64501,\"Example, Cloud\",de\r\n" +
        "2001:db8::/32,64502,\"" + Hostile.Replace("\"", "\"\"", StringComparison.Ordinal) + "\",US\n" +
        "198.51.100.0/24,,,FR\n";

    [Fact]
    public void RowsAreReadWithQuotedCommasQuotesAndLineBreaksIntact()
    {
        var rows = NetworkContextCsv.Read(new StringReader(Csv), "ours.csv");

        Assert.Equal(
            [
                ("203.0.113.0/24", 64500u, "Example Hosting", "NL"),
                ("203.0.113.128/25", 64501u, "Example, Cloud", "DE"),
                ("2001:db8::/32", 64502u, Hostile, "US"),
                ("198.51.100.0/24", 0u, string.Empty, "FR"),
            ],
            rows.Select(r => (r.Network.ToString(), r.Asn, r.Organisation, r.Country)));
    }

    [Theory]
    [InlineData("net,asn,org,cc\n", "ours.csv line 1: the header must be 'network,asn,organisation,country', not 'net,asn,org,cc'.")]
    [InlineData("", "ours.csv is empty; it needs the header 'network,asn,organisation,country'.")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/24,64500,A,NL\n203.0.113.7/24,64500,B,NL\n", "ours.csv line 3: '203.0.113.7/24' has host bits set (the network is 203.0.113.0/24).")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/24,64500,\"A\nB\",NL\nnot-a-net,1,C,NL\n", "ours.csv line 4: 'not-a-net' is not a network in CIDR form (address/prefix length).")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/24,sixty,A,NL\n", "ours.csv line 2: the AS number 'sixty' is not a number.")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/24,1,A,Netherlands\n", "ours.csv line 2: the country 'Netherlands' is not a two-letter ISO 3166 code.")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/24,1,A\n", "ours.csv line 2: has 3 field(s), not 4 (network,asn,organisation,country).")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/24,1,\"A,NL\n", "ours.csv line 2: a quoted field is not closed before the end of the file.")]
    [InlineData("network,asn,organisation,country\n203.0.113.0/33,1,A,NL\n", "ours.csv line 2: '203.0.113.0/33' has a prefix length longer than its address.")]
    public void ABadFileIsRefusedWithASentenceNamingTheLine(string csv, string error)
    {
        var refused = Assert.Throws<FormatException>(() => NetworkContextCsv.Read(new StringReader(csv), "ours.csv"));

        Assert.Equal(error, refused.Message);
    }

    [Fact]
    public void EveryBadRowIsNamedNotOnlyTheFirst()
    {
        var csv = "network,asn,organisation,country\nx,1,A,NL\n203.0.113.0/24,1,A,NL\ny,1,A,NL\n";

        var refused = Assert.Throws<FormatException>(() => NetworkContextCsv.Read(new StringReader(csv), "ours.csv"));

        Assert.Equal(
            "ours.csv line 2: 'x' is not a network in CIDR form (address/prefix length).\nours.csv line 4: 'y' is not a network in CIDR form (address/prefix length).",
            refused.Message);
    }

    [Fact]
    public async Task AHostileOrganisationIsStoredAsTextAndReadBackExactly()
    {
        await using var store = await TestEngine.OpenAsync();
        var context = new NetworkContextStore(store);

        await context.ReplaceAsync(NetworkContextCsv.Read(new StringReader(Csv), "ours.csv"), "csv", TimeProvider.System, CancellationToken.None);
        var found = await context.LookupAsync(["2001:db8:1::25", "203.0.113.200", "203.0.113.5", "198.51.100.9", "192.0.2.1"], CancellationToken.None);

        Assert.Equal(new NetworkContext(64502, Hostile, "US"), found["2001:db8:1::25"]);
        Assert.Equal(new NetworkContext(64501, "Example, Cloud", "DE"), found["203.0.113.200"]);
        Assert.Equal(new NetworkContext(64500, "Example Hosting", "NL"), found["203.0.113.5"]);
        Assert.Equal(new NetworkContext(0, string.Empty, "FR"), found["198.51.100.9"]);
        Assert.False(found.ContainsKey("192.0.2.1"));
        Assert.Equal("AS64502 Evil \"Hosting\" Ltd gnp.exe, ,;DROP TABLE x, US", NetworkContextText.Describe(found["2001:db8:1::25"]));
    }

    [Fact]
    public async Task ALoadReplacesThePreviousNetworksAndAnEmptyLoadTurnsContextOff()
    {
        await using var store = await TestEngine.OpenAsync();
        var context = new NetworkContextStore(store);
        await context.ReplaceAsync(NetworkContextCsv.Read(new StringReader(Csv), "ours.csv"), "csv", TimeProvider.System, CancellationToken.None);

        await context.ReplaceAsync(
            NetworkContextCsv.Read(new StringReader("network,asn,organisation,country\n192.0.2.0/24,64510,Other,SE\n"), "new.csv"), "csv", TimeProvider.System, CancellationToken.None);
        var replaced = await context.LookupAsync(["203.0.113.5", "192.0.2.1"], CancellationToken.None);
        var asn = await store.QueryScalarAsync("SELECT dictGet('network_context', 'asn', toIPv6('192.0.2.1'))", CancellationToken.None);
        await context.ReplaceAsync([], "csv", TimeProvider.System, CancellationToken.None);

        Assert.Equal(["192.0.2.1"], replaced.Keys);
        Assert.Equal("64510", asn);
        Assert.Equal("0", await store.QueryScalarAsync("SELECT dictGet('network_context', 'asn', toIPv6('192.0.2.1'))", CancellationToken.None));
        Assert.Equal(0, await context.CountAsync(CancellationToken.None));
        Assert.Empty(await context.LookupAsync(["192.0.2.1"], CancellationToken.None));
    }
}
