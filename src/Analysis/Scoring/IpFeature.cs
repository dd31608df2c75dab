namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// One input of the reputation model: how ClickHouse computes it for an address and a day, what it
/// means (docs/scoring.md is written from these), and how to say the value to an analyst.
/// </summary>
/// <param name="Name">Stable name, recorded in each model's feature schema.</param>
/// <param name="Sql">Expression over the per-address aggregates of <see cref="FeatureQuery"/>.</param>
/// <param name="Meaning">One sentence for the documentation.</param>
/// <param name="Describe">The value in words for this address, e.g. "92% of 140 recipients unknown"; null when there is nothing worth saying.</param>
public sealed record IpFeature(string Name, string Sql, string Meaning, Func<IpFeatureRow, string?> Describe);
