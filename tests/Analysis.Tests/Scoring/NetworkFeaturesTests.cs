using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Scoring;

/// <summary>
/// The network (autonomous system) features of issue 21 on a store built by hand: a few senders of one AS on the days
/// before the scored day, some named by findings, and senders and findings on the day itself and after it, which must
/// not count. Days in Postfix's wording (<see cref="PostfixLog"/>), the networks from a CSV of our own.
/// </summary>
public sealed class NetworkFeaturesTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    // Two benchmark /16s (RFC 2544), each one invented AS; 203.0.113.0/24 is in none.
    private const string ContextCsv = """
        network,asn,organisation,country
        198.18.0.0/16,64506,Benchmark Cloud Example,US
        198.19.0.0/16,64507,Big Webmail Example,US
        """;

    /// <summary>
    /// AS64506 in the 7 days before <see cref="Day"/>: five senders, two flagged (one by a finding on its address, one by a
    /// finding on its /24). Outside the window or on the day and after: more senders and findings that must not count.
    /// </summary>
    private static async Task<IClickHouseStore> BuildAsync(bool context)
    {
        var log = new PostfixLog();
        void Send(DateOnly day, string ip, string at)
        {
            log.Day = day;
            log.Inbound($"mail.{ip.Replace('.', '-')}.example", ip, $"someone@{ip.Replace('.', '-')}.example", ["jane@ours.example"], at);
        }

        Send(Day.AddDays(-8), "198.18.5.5", "09:00:00");   // before the window, flagged that day: not counted
        Send(Day.AddDays(-7), "198.18.7.7", "09:00:00");   // the window's first day
        foreach (var ip in new[] { "198.18.1.1", "198.18.2.2", "198.18.3.3", "198.18.4.4" })
        {
            Send(Day.AddDays(-3), ip, "10:00:00");
        }

        Send(Day, "198.18.1.1", "11:00:00");
        Send(Day, "198.18.6.6", "11:05:00");               // new on the day: not a prior sender
        Send(Day, "198.18.9.9", "11:10:00");
        Send(Day, "198.19.1.1", "11:15:00");               // its AS sent nothing before
        Send(Day, "203.0.113.5", "11:20:00");              // in no loaded network
        Send(Day.AddDays(1), "198.18.8.8", "09:00:00");    // after the day, flagged that day: not counted

        var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        await store.ExecuteAsync(
            """
            INSERT INTO findings (day, detector, subject) VALUES
                ('2026-11-16', 'dha', '198.18.5.5'),
                ('2026-11-21', 'dha', '198.18.1.1'),
                ('2026-11-21', 'dha', '198.18.2.0/24'),
                ('2026-11-24', 'dha', '198.18.3.3'),
                ('2026-11-24', 'dha', '198.18.9.9'),
                ('2026-11-25', 'dha', '198.18.8.8'),
                ('2026-11-25', 'dha', '198.18.4.4')
            """,
            CancellationToken.None);
        if (context)
        {
            await new NetworkContextStore(store).ReplaceAsync(NetworkContextCsv.Read(new StringReader(ContextCsv), "ours.csv"), "csv", TimeProvider.System, CancellationToken.None);
        }

        return store;
    }

    private static async Task<Dictionary<string, IpFeatureRow>> FeaturesAsync(IClickHouseStore store, bool network) =>
        (await FeatureQuery.ReadDaysAsync(store, new EstateSettings(), Day, Day, network, CancellationToken.None)).ToDictionary(r => r.Ip, StringComparer.Ordinal);

    [Fact]
    public async Task TheAsFeaturesCountOnlyTheSendersAndFindingsOfTheSevenDaysBefore()
    {
        await using var store = await BuildAsync(context: true);

        var rows = await FeaturesAsync(store, network: true);

        Assert.Equal(["198.18.1.1", "198.18.6.6", "198.18.9.9", "198.19.1.1", "203.0.113.5"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(rows.Values, r => Assert.Equal(FeatureCatalog.WithNetwork.Count, r.Values.Length));
        // 198.18.1.1, .2.2, .3.3, .4.4 and .7.7 sent in the window; .1.1 (its address) and .2.2 (its /24) were flagged in it.
        foreach (var ip in new[] { "198.18.1.1", "198.18.6.6", "198.18.9.9" })
        {
            Assert.Equal(2f / 5, rows[ip]["as_bad_share_prior"]);
            Assert.Equal(MathF.Log(1 + 5), rows[ip]["as_senders_prior"], 5);
            Assert.Equal(5, rows[ip].Count("as_senders_prior"));
            Assert.Equal(0, rows[ip]["as_new"]);
            Assert.Equal("AS64506 Benchmark Cloud Example", rows[ip].AsName);
        }

        Assert.Equal([0f, 0f, 1f], Network(rows["198.19.1.1"]));
        Assert.Equal("AS64507 Big Webmail Example", rows["198.19.1.1"].AsName);
        Assert.Equal([0f, 0f, 0f], Network(rows["203.0.113.5"]));
        Assert.Equal(string.Empty, rows["203.0.113.5"].AsName);
    }

    [Fact]
    public async Task ADaysFindingsAndLaterOnesDoNotChangeItsOwnAsFeatures()
    {
        await using var store = await BuildAsync(context: true);
        var before = await FeaturesAsync(store, network: true);

        // More flagged senders of the AS on the day itself and the day after: known only once those days are over.
        await store.ExecuteAsync(
            "INSERT INTO findings (day, detector, subject) VALUES ('2026-11-24', 'dha', '198.18.1.1'), ('2026-11-24', 'dha', '198.18.7.7'), ('2026-11-25', 'dha', '198.18.3.3')",
            CancellationToken.None);
        var after = await FeaturesAsync(store, network: true);

        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.All(before, pair => Assert.Equal(Network(pair.Value), Network(after[pair.Key])));
    }

    [Fact]
    public async Task WithoutContextTheAsFeaturesAreZeroAndTheOthersUnchanged()
    {
        await using var store = await BuildAsync(context: false);

        var without = await FeaturesAsync(store, network: false);
        var with = await FeaturesAsync(store, network: true);

        Assert.Equal(without.Keys.Order(StringComparer.Ordinal), with.Keys.Order(StringComparer.Ordinal));
        Assert.All(without.Values, r => Assert.Equal(FeatureCatalog.All.Count, r.Values.Length));
        Assert.All(with, pair =>
        {
            Assert.Equal(without[pair.Key].Values, pair.Value.Values[..FeatureCatalog.All.Count]);
            Assert.Equal([0f, 0f, 0f], Network(pair.Value));
            Assert.Equal(string.Empty, pair.Value.AsName);
            Assert.All(FeatureCatalog.Network, f => Assert.Null(f.Describe(pair.Value)));
        });
    }

    [Fact]
    public async Task TheReasonNamesTheAsAndHowManyOfItsSendersWereFlagged()
    {
        await using var store = await BuildAsync(context: true);
        var rows = await FeaturesAsync(store, network: true);

        Assert.Equal(
            "its network AS64506 Benchmark Cloud Example had 2 of 5 senders flagged in the previous 7 days",
            Feature("as_bad_share_prior").Describe(rows["198.18.9.9"]));
        Assert.Equal("its network AS64506 Benchmark Cloud Example had 5 senders in the previous 7 days", Feature("as_senders_prior").Describe(rows["198.18.9.9"]));
        Assert.Null(Feature("as_new").Describe(rows["198.18.9.9"]));
        Assert.Equal(
            "its network AS64507 Big Webmail Example is new to us (nothing from it in the previous 7 days)",
            Feature("as_new").Describe(rows["198.19.1.1"]));
        Assert.Null(Feature("as_bad_share_prior").Describe(rows["198.19.1.1"]));
    }

    [Fact]
    public void AModelNamesTheFeatureSetItWasTrainedOn()
    {
        Assert.False(FeatureCatalog.UsesNetwork(FeatureCatalog.Names));
        Assert.True(FeatureCatalog.UsesNetwork(FeatureCatalog.NetworkNames));
        Assert.Null(FeatureCatalog.UsesNetwork([.. FeatureCatalog.Names.Skip(1)]));
        Assert.Equal(FeatureCatalog.Names, FeatureCatalog.NetworkNames.Take(FeatureCatalog.Names.Count));
    }

    private static IpFeature Feature(string name) => FeatureCatalog.WithNetwork[FeatureCatalog.IndexOf(name)];

    private static float[] Network(IpFeatureRow row) => row.Values[FeatureCatalog.All.Count..];
}
