namespace RelayWatch.Reports.Content;

/// <summary>The reputation model's verdicts on the day's senders.</summary>
/// <param name="Model">The model version that scored the day.</param>
/// <param name="Histogram">Addresses per score band of 0.05, from [0, 0.05) to [0.95, 1].</param>
/// <param name="Top">The worst addresses, with reasons and blocklist state.</param>
/// <param name="DriftWarnings">The scoring run's drift check, one sentence per drifting feature.</param>
public sealed record ScoreSection(
    string Model,
    string? Kind,
    DateOnly? TrainedFrom,
    DateOnly? TrainedTo,
    long Scored,
    long AtLeastHalf,
    long AtLeast95,
    IReadOnlyList<long> Histogram,
    IReadOnlyList<ScoreSection.Address> Top,
    IReadOnlyList<string> DriftWarnings)
{
    public sealed record Address(string Ip, double Score, IReadOnlyList<string> Reasons, string Blocklist);
}
