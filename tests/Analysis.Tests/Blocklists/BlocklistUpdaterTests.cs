using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Blocklists;

/// <summary>
/// The blocklist's lifecycle on a store of its own, with a fake clock: listing, renewal, expiry,
/// escalation, review, aggregation. On the embedded engine here, on the server engine in
/// <see cref="BlocklistUpdaterOnServerTests"/> (the impact check binds array parameters).
/// </summary>
public class BlocklistUpdaterTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero));

    private IClickHouseStore store = null!;

    public async Task InitializeAsync() => store = await OpenStoreAsync();

    public async Task DisposeAsync() => await store.DisposeAsync();

    /// <summary>A store on a fresh database of the engine under test.</summary>
    protected virtual Task<IClickHouseStore> OpenStoreAsync() => TestEngine.OpenAsync();

    private BlocklistUpdater Updater(BlocklistSettings? settings = null) =>
        new(store, settings ?? new BlocklistSettings { MinimumScore = null }, new EstateSettings(), clock);

    [Fact]
    public async Task AFindingIsListedForItsSeveritysTimeAndExpiresWhenThatRunsOut()
    {
        await FindingAsync(Day, "auth_bruteforce", "203.0.113.7", "high");

        var first = await Updater().UpdateAsync(Day, CancellationToken.None);

        var entry = Assert.Single(first.Listed);
        Assert.Equal("203.0.113.7", entry.Subject);
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddDays(14), entry.ExpiresAt);
        Assert.Contains("finding:auth_bruteforce:2026-11-24", entry.Sources);

        clock.Advance(TimeSpan.FromDays(15));
        var later = await Updater().UpdateAsync(Day.AddDays(15), CancellationToken.None);

        Assert.Equal("203.0.113.7", Assert.Single(later.Expired).Subject);
        Assert.Empty(await BlocklistExport.PublishedAsync(store, new BlocklistSettings(), new EstateSettings(), clock.GetUtcNow().UtcDateTime, CancellationToken.None));
    }

    [Fact]
    public async Task ARepeatOffenderIsListedTwiceAsLongAndARenewalOnlyExtends()
    {
        await FindingAsync(Day, "auth_bruteforce", "203.0.113.7", "high");
        await Updater().UpdateAsync(Day, CancellationToken.None);

        // Seen again while listed: renewed, not escalated.
        clock.Advance(TimeSpan.FromDays(1));
        await FindingAsync(Day.AddDays(1), "auth_bruteforce", "203.0.113.7", "high");
        var renewed = Assert.Single((await Updater().UpdateAsync(Day.AddDays(1), CancellationToken.None)).Renewed);
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddDays(14), renewed.ExpiresAt);

        // Expired, then back within 90 days: the second listing lasts twice as long.
        clock.Advance(TimeSpan.FromDays(20));
        await Updater().UpdateAsync(Day.AddDays(21), CancellationToken.None);
        await FindingAsync(Day.AddDays(21), "auth_bruteforce", "203.0.113.7", "high");
        var again = Assert.Single((await Updater().UpdateAsync(Day.AddDays(21), CancellationToken.None)).Listed);

        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddDays(28), again.ExpiresAt);
    }

    [Fact]
    public async Task AnHourlyUpdateThatChangesNothingWritesNothing()
    {
        await FindingAsync(Day, "auth_bruteforce", "203.0.113.7", "high");
        await FindingAsync(Day, "spoofing", "198.51.100.59", "medium");
        await MessagesAsync("198.51.100.59", 11);
        await Updater().UpdateAsync(Day, CancellationToken.None);
        var rows = await store.QueryScalarAsync("SELECT count() FROM blocklist_changes", CancellationToken.None);

        clock.Advance(TimeSpan.FromHours(1));
        var again = await Updater().UpdateAsync(Day, CancellationToken.None);

        Assert.Equal((0, 0, 0, 0), (again.Listed.Count, again.Renewed.Count, again.Review.Count, again.Expired.Count));
        Assert.Equal(rows, await store.QueryScalarAsync("SELECT count() FROM blocklist_changes", CancellationToken.None));
    }

    [Fact]
    public async Task ASenderWhoseMailWeAcceptedGoesToReviewNotToTheList()
    {
        await FindingAsync(Day, "spoofing", "198.51.100.59", "medium");
        await MessagesAsync("198.51.100.59", 11);

        var update = await Updater().UpdateAsync(Day, CancellationToken.None);

        Assert.Empty(update.Listed);
        Assert.Contains("11 accepted messages", Assert.Single(update.Review).Reason, StringComparison.Ordinal);
        Assert.Empty(await BlocklistExport.PublishedAsync(store, new BlocklistSettings(), new EstateSettings(), clock.GetUtcNow().UtcDateTime, CancellationToken.None));
    }

    /// <summary>
    /// A model's score alone is weaker evidence than a detector's finding: an address we took even one
    /// message from in the last 30 days is held for review when only its score would list it.
    /// </summary>
    [Fact]
    public async Task AScoreAloneOnASenderWhoseMailWeAcceptedGoesToReview()
    {
        await ScoreAsync("198.19.238.227", 0.995);
        await ScoreAsync("198.19.7.1", 0.99);
        await MessagesAsync("198.19.238.227", 1);
        await FindingAsync(Day, "spoofing", "198.51.100.59", "medium");
        await MessagesAsync("198.51.100.59", 3);

        var update = await Updater(new BlocklistSettings()).UpdateAsync(Day, CancellationToken.None);

        Assert.Equal(["198.19.7.1", "198.51.100.59"], update.Listed.Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.Contains("1 accepted messages", Assert.Single(update.Review, e => e.Subject == "198.19.238.227").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FourBadAddressesOfANetworkListTheNetworkUnlessAGoodSenderSharesIt()
    {
        foreach (var host in new[] { 10, 20, 30, 40 })
        {
            await FindingAsync(Day, "auth_bruteforce", $"203.0.113.{host}", "medium");
            await FindingAsync(Day, "auth_bruteforce", $"198.18.7.{host}", "medium");
        }

        await MessagesAsync("198.18.7.99", 1);

        var update = await Updater().UpdateAsync(Day, CancellationToken.None);

        Assert.Contains(update.Listed, e => e.Subject == "203.0.113.0/24" && e.Sources.Contains("member:203.0.113.10"));
        Assert.DoesNotContain(update.Listed, e => e.Subject == "198.18.7.0/24");
        var published = await BlocklistExport.PublishedAsync(store, new BlocklistSettings(), new EstateSettings(), clock.GetUtcNow().UtcDateTime, CancellationToken.None);
        Assert.Equal(["198.18.7.10", "198.18.7.20", "198.18.7.30", "198.18.7.40", "203.0.113.0/24"], published.Select(e => e.Subject).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllowlistsWinOverFindingsAndOverWhatIsAlreadyListed()
    {
        await FindingAsync(Day, "auth_bruteforce", "203.0.113.7", "high");
        await FindingAsync(Day, "auth_bruteforce", "192.0.2.203", "high");
        var settings = new BlocklistSettings { MinimumScore = null, Allowlist = ["192.0.2.200/29"] };

        var update = await Updater(settings).UpdateAsync(Day, CancellationToken.None);
        Assert.Equal("203.0.113.7", Assert.Single(update.Listed).Subject);
        Assert.Contains(update.Refused, r => r.Subject == "192.0.2.203" && r.Why.Contains("allowlists always win", StringComparison.Ordinal));

        await new BlocklistAnalyst(store, settings, new EstateSettings(), clock, "analyst").AllowAsync("203.0.113.0/24", "a partner after all", CancellationToken.None);

        Assert.Empty(await BlocklistExport.PublishedAsync(store, settings, new EstateSettings(), clock.GetUtcNow().UtcDateTime, CancellationToken.None));
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BlocklistAnalyst(store, settings, new EstateSettings(), clock, "analyst").ListAsync("203.0.113.7", 30, null, CancellationToken.None));
        Assert.Contains("an analyst's allow", error.Message, StringComparison.Ordinal);
    }

    private Task FindingAsync(DateOnly day, string detector, string subject, string severity) =>
        store.ExecuteAsync(
            "INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence) VALUES "
            + string.Create(CultureInfo.InvariantCulture, $"('{day:yyyy-MM-dd}', '{detector}', '{subject}', '{severity}', 1, '{day:yyyy-MM-dd} 10:00:00', '{day:yyyy-MM-dd} 11:00:00', 30, '{{\"failures\": 30, \"sessions\": 10}}')"),
            CancellationToken.None);

    private Task ScoreAsync(string ip, double score) =>
        store.ExecuteAsync(
            "INSERT INTO ip_scores (day, ip, score, model, reasons) VALUES "
            + string.Create(CultureInfo.InvariantCulture, $"('{Day:yyyy-MM-dd}', '{ip}', {score}, 'gbt-test', ['nothing accepted'])"),
            CancellationToken.None);

    private Task MessagesAsync(string ip, int count) =>
        store.ExecuteAsync(
            "INSERT INTO smtp_events (ts, relay, source, event, client_ip, mail_from, session_id) VALUES "
            + string.Join(", ", Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"('{Day:yyyy-MM-dd} 09:{i:00}:00', 'mx1', 'test', 'message', toIPv6('{ip}'), 'someone@example.org', 's{i}')"))),
            CancellationToken.None);
}
