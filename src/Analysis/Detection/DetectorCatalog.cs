using RelayWatch.Analysis.Detection.Detectors;

namespace RelayWatch.Analysis.Detection;

/// <summary>The detectors RelayWatch runs, built from their settings.</summary>
public static class DetectorCatalog
{
    /// <summary>Every detector, in the order they run and are reported; <see cref="DetectorSettings.Disabled"/> ones left out.</summary>
    public static IReadOnlyList<Detector> Create(DetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Detector[] all =
        [
            new DirectoryHarvest(settings.Dha),
            new RelayProbe(settings.RelayProbe),
            new OpenRelay(settings.OpenRelay),
            new Spoofing(settings.Spoofing),
            new Backscatter(settings.Backscatter),
            new BounceSource(settings.BounceSource),
            new AuthBruteForce(settings.AuthBruteForce),
            new CompromisedAccount(settings.CompromisedAccount),
            new Snowshoe(settings.Snowshoe),
            new DmarcForgery(settings.DmarcForgery),
            new OutboundAuthFailure(settings.OutboundAuthFailure),
        ];
        return [.. all.Where(d => !settings.Disabled.Contains(d.Name, StringComparer.Ordinal))];
    }

    /// <summary>The names of every detector there is.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Create(new DetectorSettings()).Select(d => d.Name)];
}
