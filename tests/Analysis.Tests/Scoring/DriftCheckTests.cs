using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Tests.Scoring;

public sealed class DriftCheckTests
{
    private static readonly DateOnly Tuesday = new(2026, 11, 24);

    [Fact]
    public void TheSameDistributionIsStableAndAShiftedOneWarnsByName()
    {
        var baseline = Enumerable.Range(0, 1000).Select(i => (double)(i % 50)).ToList();
        var manifest = Manifest(baseline);

        var same = new DriftCheck(manifest, Tuesday, 0.25);
        var shifted = new DriftCheck(manifest, Tuesday, 0.25);
        for (var i = 0; i < 1000; i++)
        {
            same.Add(Row(i % 50), 0.1);
            shifted.Add(Row(40 + (i % 10)), 0.1);
        }

        Assert.True(same.Checked);
        Assert.True(same.MaxPsi < 0.01, $"PSI {same.MaxPsi}");
        Assert.Empty(same.Warnings());
        Assert.True(shifted.MaxPsi > 1, $"PSI {shifted.MaxPsi}");
        Assert.Contains(shifted.Warnings(), w => w.StartsWith($"{FeatureCatalog.Names[0]} moved from the training window's weekdays", StringComparison.Ordinal));
    }

    [Fact]
    public void AHandfulOfAddressesIsTooFewToJudge()
    {
        var check = new DriftCheck(Manifest([1, 2, 3]), Tuesday, 0.25);
        for (var i = 0; i < DriftCheck.MinimumRows - 1; i++)
        {
            check.Add(Row(1000), 1);
        }

        Assert.False(check.Checked);
        Assert.Empty(check.Warnings());
    }

    [Fact]
    public void ADayOfAKindTheWindowNeverHadIsComparedWithAllItsDaysAndSaysSo()
    {
        var check = new DriftCheck(Manifest([1, 2, 3]), new DateOnly(2026, 11, 29), 0.25);

        Assert.Equal(Baseline.AllDays, check.Against);
    }

    [Fact]
    public void FlagsGetABinPerValueAndWideFeaturesTenEqualOnes()
    {
        Assert.Equal([0.0], Distribution.Of([0, 1, 1, 0]).Edges);
        Assert.Equal(9, Distribution.Of([.. Enumerable.Range(0, 100).Select(i => (double)i)]).Edges.Count);
        // Ninety senders on one value and ten spread out: the one value does not split into slivers.
        var clustered = Enumerable.Repeat(4.1, 90).Concat(Enumerable.Range(0, 10).Select(i => i / 10.0)).ToList();
        Assert.Equal(0.9, Distribution.Of(clustered).Shares[^1], 10);
    }

    private static IpFeatureRow Row(double first) =>
        new(Tuesday, "192.0.2.1", "192.0.2.0/24", string.Empty, string.Empty, [(float)first, .. new float[FeatureCatalog.All.Count - 1]]);

    private static ModelManifest Manifest(IReadOnlyList<double> firstFeature)
    {
        var zeros = Distribution.Of([0]);
        var baseline = new Baseline([Distribution.Of(firstFeature), .. Enumerable.Repeat(zeros, FeatureCatalog.All.Count - 1)], Distribution.Of([0.1]));
        return new ModelManifest(
            "test", ModelKinds.Supervised, FeatureCatalog.Version, FeatureCatalog.Names, DateTime.UnixEpoch, 1,
            new DayWindow(Tuesday.AddDays(-8), Tuesday.AddDays(-1)), null, 0, 0, new Dictionary<string, int>(), null,
            new Dictionary<string, Baseline> { [Baseline.AllDays] = baseline, ["weekday"] = baseline },
            [], [], [], null);
    }
}
