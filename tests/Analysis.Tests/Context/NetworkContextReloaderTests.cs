using RelayWatch.Analysis.Context;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Context;

/// <summary>
/// The configured context files are loaded again when they change, checked at a job's start: unchanged files are
/// not reloaded, a rewritten CSV is, and a broken or missing one leaves the loaded context as it was.
/// </summary>
public sealed class NetworkContextReloaderTests : IDisposable
{
    private readonly string csv = Path.Combine(Path.GetTempPath(), $"relaywatch-context-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(csv);

    [Fact]
    public async Task ARewrittenCsvIsLoadedAgainAndAnUnchangedOneIsNot()
    {
        await using var store = await TestEngine.OpenAsync();
        var reloader = new NetworkContextReloader(store, TimeProvider.System);
        var files = new NetworkContextFiles(null, null, csv);
        await Write("network,asn,organisation,country\n203.0.113.0/24,64500,Example Hosting,NL\n198.51.100.0/24,64501,Other,DE\n", new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc));

        var first = await reloader.ReloadIfChangedAsync(files, CancellationToken.None);
        var second = await reloader.ReloadIfChangedAsync(files, CancellationToken.None);
        await Write("network,asn,organisation,country\n203.0.113.0/24,64999,New Owner,FR\n", new DateTime(2026, 12, 4, 8, 0, 0, DateTimeKind.Utc));
        var third = await reloader.ReloadIfChangedAsync(files, CancellationToken.None);

        Assert.Equal((NetworkContextReloadOutcome.Reloaded, 2L), (first.Outcome, first.Networks));
        Assert.Equal(NetworkContextReloadOutcome.Unchanged, second.Outcome);
        Assert.Equal((NetworkContextReloadOutcome.Reloaded, 1L), (third.Outcome, third.Networks));
        Assert.Matches(@"^relaywatch-context-[0-9a-f]+\.csv \(\d+ bytes, modified 2026-12-04T08:00:00\.000Z\)$", third.Source);
        Assert.Equal("64999", await Asn(store, "203.0.113.9"));
        Assert.Equal("0", await Asn(store, "198.51.100.7"));
    }

    [Fact]
    public async Task ABrokenOrMissingFileLeavesTheLoadedContextAsItWas()
    {
        await using var store = await TestEngine.OpenAsync();
        var reloader = new NetworkContextReloader(store, TimeProvider.System);
        var files = new NetworkContextFiles(null, null, csv);
        await Write("network,asn,organisation,country\n203.0.113.0/24,64500,Example Hosting,NL\n", new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc));
        await reloader.ReloadIfChangedAsync(files, CancellationToken.None);

        await Write("network,asn,organisation,country\nnot-a-network,64999,New Owner,FR\n", new DateTime(2026, 12, 4, 8, 0, 0, DateTimeKind.Utc));
        var broken = await reloader.ReloadIfChangedAsync(files, CancellationToken.None);
        File.Delete(csv);
        var missing = await reloader.ReloadIfChangedAsync(files, CancellationToken.None);

        Assert.Equal(NetworkContextReloadOutcome.Refused, broken.Outcome);
        Assert.EndsWith("The network context was left as it was.", broken.Message, StringComparison.Ordinal);
        Assert.Contains("not-a-network", broken.Message, StringComparison.Ordinal);
        Assert.Equal(NetworkContextReloadOutcome.Refused, missing.Outcome);
        Assert.Equal($"{csv} does not exist. The network context was left as it was.", missing.Message);
        Assert.Equal("64500", await Asn(store, "203.0.113.9"));
    }

    [Fact]
    public async Task WithoutConfiguredFilesNothingIsTouched()
    {
        await using var store = await TestEngine.OpenAsync();

        var result = await new NetworkContextReloader(store, TimeProvider.System).ReloadIfChangedAsync(new NetworkContextFiles(null, null, null), CancellationToken.None);

        Assert.Equal(NetworkContextReloadOutcome.NotConfigured, result.Outcome);
        Assert.Equal(0, await new NetworkContextStore(store).CountAsync(CancellationToken.None));
    }

    private async Task Write(string text, DateTime modified)
    {
        await File.WriteAllTextAsync(csv, text);
        File.SetLastWriteTimeUtc(csv, modified);
    }

    private static async Task<string?> Asn(IClickHouseStore store, string address) =>
        await store.QueryScalarAsync($"SELECT dictGet('network_context', 'asn', toIPv6('{address}'))", CancellationToken.None);
}
