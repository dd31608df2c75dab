namespace RelayWatch.Analysis.Scoring;

/// <summary>
/// The configuration file's <c>scoring</c> section: where the reputation model's labels come from and
/// how it is trained. docs/scoring.md explains each setting.
/// </summary>
public sealed class ScoringSettings
{
    /// <summary>Addresses and networks that are good whatever the findings say (partners, big providers): labelled good, never bad.</summary>
    public IReadOnlyList<string> Allowlist { get; set; } = [];

    /// <summary>Whether the relays' own DNS-blocklist refusals (postscreen's DNSBL rank, "blocked using") label a sender bad.</summary>
    public bool LabelDnsblRefusals { get; set; } = true;

    /// <summary>Days of history <c>train</c> learns from by default, ending the day before the latest day in the store.</summary>
    public int TrainingDays { get; set; } = 30;

    /// <summary>Share of the window's latest days held out to evaluate the model (time-ordered: the model never sees them).</summary>
    public double EvaluationShare { get; set; } = 0.25;

    /// <summary>Fewest bad and fewest good labelled addresses for a supervised model; with fewer, an anomaly model scores instead.</summary>
    public int MinimumLabelsPerClass { get; set; } = 20;

    /// <summary>Seed for training; the same data and seed give the same model.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Boosted trees in the supervised model.</summary>
    public int Trees { get; set; } = 60;

    /// <summary>Leaves per tree.</summary>
    public int Leaves { get; set; } = 16;

    /// <summary>Population stability index above which a feature (or the score) is reported as drifting from the training window.</summary>
    public double DriftWarningPsi { get; set; } = 0.25;

    /// <summary>
    /// Whether <c>train</c> adds the network (autonomous system) features of <see cref="FeatureCatalog.Network"/>, which need
    /// network context loaded. Off by default: measured with and without on the simulated harder world (bench/README.md,
    /// "AS-level reputation features"). A model records its feature set, and scoring computes what the model takes.
    /// </summary>
    public bool NetworkFeatures { get; set; }

    /// <summary>Reasons kept per scored address.</summary>
    public int ReasonsPerAddress { get; set; } = 3;
}
