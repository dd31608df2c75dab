namespace RelayWatch.Analysis.Scoring;

/// <summary>What the logs say about one sending address on one day: the model's inputs and the text behind them.</summary>
/// <param name="Network">The address's /24 or /48.</param>
/// <param name="Helo">The last HELO/EHLO name the relays logged for it; empty when none was logged.</param>
/// <param name="Host">Its reverse DNS name as the relay saw it (<c>unknown</c> when there is none; empty when not logged).</param>
/// <param name="Values">One value per <see cref="FeatureCatalog.All"/> entry, in that order.</param>
public sealed record IpFeatureRow(DateOnly Day, string Ip, string Network, string Helo, string Host, float[] Values)
{
    /// <summary>The value of a feature by name.</summary>
    public float this[string feature] => Values[FeatureCatalog.IndexOf(feature)];

    /// <summary>A log1p-scaled count back as the count.</summary>
    public long Count(string feature) => (long)Math.Round(Math.Exp(this[feature]) - 1);
}
