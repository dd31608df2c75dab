namespace RelayWatch.Analysis.Detection;

/// <summary>
/// One detector: a ClickHouse query over the public tables that yields findings for one day.
/// </summary>
/// <remarks>
/// The extension point (docs/detectors.md): derive from this class, give it a settings class in
/// <see cref="DetectorSettings"/>, and list it in <see cref="DetectorCatalog.Create"/>. The query returns
/// the columns <c>subject, severity, score, first_seen, last_seen, events, evidence</c> (evidence a
/// JSON object that names the rule that fired); <see cref="DetectionRunner"/> writes them to
/// <c>findings</c>, replacing what the detector found on that day before.
/// </remarks>
public abstract class Detector
{
    /// <summary>The value of <c>findings.detector</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What it finds, in one line.</summary>
    public abstract string Summary { get; }

    /// <summary>How many days of history, the detected day included, the query reads.</summary>
    public virtual int LookbackDays => 1;

    /// <summary>The SELECT; it may use <c>{day:Date}</c>, <c>{window_start:Date}</c>, the estate's parameters and <see cref="Parameters"/>.</summary>
    public abstract string Query { get; }

    /// <summary>The detector's own thresholds as query parameters (name → ClickHouse text value).</summary>
    public abstract IReadOnlyDictionary<string, string> Parameters { get; }
}
