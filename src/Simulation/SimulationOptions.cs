namespace RelayWatch.Simulation;

/// <summary>What to simulate. Validated by <see cref="Validate"/>; every default is documented here.</summary>
public sealed class SimulationOptions
{
    /// <summary>Days to simulate. Default 1.</summary>
    public int Days { get; set; } = 1;

    /// <summary>The first day (UTC) of the days whose truth is written. Default 2026-11-01.</summary>
    public DateOnly Start { get; set; } = new(2026, 11, 1);

    /// <summary>
    /// Days simulated before <see cref="Start"/> as history only: the same world runs from
    /// <c>Start − Warmup</c>, its logs are written, and the truth keeps only what is still going on from
    /// <see cref="Start"/>. Detectors that need history (snowshoe's "new to us", spoofing's established
    /// senders) then see a store that has been running, as a real one has. Default 0.
    /// </summary>
    public int Warmup { get; set; }

    /// <summary>The first day simulated: <see cref="Start"/>, or the first warm-up day.</summary>
    public DateOnly FirstSimulatedDay => Start.AddDays(-Warmup);

    /// <summary>Days simulated in all: the warm-up and <see cref="Days"/>.</summary>
    public int SimulatedDays => Warmup + Days;

    /// <summary>Seed of every random choice: the same seed gives byte-identical output. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Traffic volume: at 1 a day is about a million log lines. Default 0.01.</summary>
    public double Scale { get; set; } = 0.01;

    /// <summary>Daily growth of legitimate traffic, in percent (compound): 0.2 doubles it in about a year. Default 0.2.</summary>
    public double Growth { get; set; } = 0.2;

    /// <summary>Which world: <see cref="SimulationWorld.Classic"/> (today's, the default) or <see cref="SimulationWorld.Harder"/> (issue 17's). Default classic.</summary>
    public SimulationWorld World { get; set; } = SimulationWorld.Classic;

    /// <summary>The relay vendors, by the names <see cref="Vendor"/> takes.</summary>
    public static IReadOnlyList<string> Vendors { get; } = ["postfix", "exim", "esa", "sendmail", "exchange"];

    /// <summary>
    /// When set (one of <see cref="Vendors"/>), every session goes to that vendor's relay, as if it were the
    /// estate's only MX (and no site is ever dark), so that one MTA's logs hold the whole world: what
    /// <c>evaluate</c> needs to measure detection on that vendor alone. Default null: the MX records decide.
    /// </summary>
    public string? Vendor { get; set; }

    /// <summary>Output folder; written under a temporary name and renamed when complete.</summary>
    public string Output { get; set; } = "simulation";

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence saying what is wrong.</summary>
    public void Validate()
    {
        if (Days is < 1 or > 3660)
        {
            throw new ArgumentException($"--days must be between 1 and 3660, not {Days}.");
        }

        if (Warmup is < 0 or > 365)
        {
            throw new ArgumentException($"--warmup must be between 0 and 365, not {Warmup}.");
        }

        if (Scale is <= 0 or > 100 || double.IsNaN(Scale))
        {
            throw new ArgumentException($"--scale must be above 0 and at most 100, not {Scale}.");
        }

        if (Growth is < -5 or > 20 || double.IsNaN(Growth))
        {
            throw new ArgumentException($"--growth must be between -5 and 20 (percent a day), not {Growth}.");
        }

        if (!Enum.IsDefined(World))
        {
            throw new ArgumentException($"--world must be classic or harder, not {World}.");
        }

        if (Vendor is not null && !Vendors.Contains(Vendor))
        {
            throw new ArgumentException($"--vendor must be one of {string.Join(", ", Vendors)}, not {Vendor}.");
        }

        if (string.IsNullOrWhiteSpace(Output))
        {
            throw new ArgumentException("--out must name a folder.");
        }
    }
}
