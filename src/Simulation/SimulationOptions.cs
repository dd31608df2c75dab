namespace RelayWatch.Simulation;

/// <summary>What to simulate. Validated by <see cref="Validate"/>; every default is documented here.</summary>
public sealed class SimulationOptions
{
    /// <summary>Days to simulate. Default 1.</summary>
    public int Days { get; set; } = 1;

    /// <summary>The first day (UTC). Default 2026-11-01.</summary>
    public DateOnly Start { get; set; } = new(2026, 11, 1);

    /// <summary>Seed of every random choice: the same seed gives byte-identical output. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Traffic volume: at 1 a day is about a million log lines. Default 0.01.</summary>
    public double Scale { get; set; } = 0.01;

    /// <summary>Daily growth of legitimate traffic, in percent (compound): 0.2 doubles it in about a year. Default 0.2.</summary>
    public double Growth { get; set; } = 0.2;

    /// <summary>Which world: <see cref="SimulationWorld.Classic"/> (today's, the default) or <see cref="SimulationWorld.Harder"/> (issue 17's). Default classic.</summary>
    public SimulationWorld World { get; set; } = SimulationWorld.Classic;

    /// <summary>Output folder; written under a temporary name and renamed when complete.</summary>
    public string Output { get; set; } = "simulation";

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence saying what is wrong.</summary>
    public void Validate()
    {
        if (Days is < 1 or > 3660)
        {
            throw new ArgumentException($"--days must be between 1 and 3660, not {Days}.");
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

        if (string.IsNullOrWhiteSpace(Output))
        {
            throw new ArgumentException("--out must name a folder.");
        }
    }
}
