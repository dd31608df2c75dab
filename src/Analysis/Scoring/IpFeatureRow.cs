namespace RelayWatch.Analysis.Scoring;

/// <summary>What the logs say about one sending address on one day: the model's inputs and the text behind them.</summary>
/// <param name="Network">The address's /24 or /48.</param>
/// <param name="Helo">The last HELO/EHLO name the relays logged for it; empty when none was logged.</param>
/// <param name="Host">Its reverse DNS name as the relay saw it (<c>unknown</c> when there is none; empty when not logged).</param>
/// <param name="Values">One value per <see cref="FeatureCatalog.All"/> entry, in that order, then one per <see cref="FeatureCatalog.Network"/> entry when computed with network features.</param>
public sealed record IpFeatureRow(DateOnly Day, string Ip, string Network, string Helo, string Host, float[] Values)
{
    /// <summary>Its autonomous system as "AS64500 Example Hosting" when the row carries network features and context knows it; empty otherwise.</summary>
    public string AsName { get; init; } = string.Empty;

    /// <summary>The value of a feature by name; 0 for a network feature the row was computed without.</summary>
    public float this[string feature] => FeatureCatalog.IndexOf(feature) is var index && index < Values.Length ? Values[index] : 0;

    /// <summary>A log1p-scaled count back as the count.</summary>
    public long Count(string feature) => (long)Math.Round(Math.Exp(this[feature]) - 1);
}
