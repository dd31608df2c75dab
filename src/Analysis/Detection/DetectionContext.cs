using System.Globalization;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Detection;

/// <summary>The day a detector runs for and what is ours; turns both into query parameters.</summary>
public sealed record DetectionContext(DateOnly Day, OurEstate Estate)
{
    public IReadOnlyDictionary<string, string> ParametersFor(Detector detector)
    {
        var parameters = new Dictionary<string, string>(detector.Parameters)
        {
            ["day"] = Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["window_start"] = Day.AddDays(1 - Math.Max(1, detector.LookbackDays)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["detector"] = detector.Name,
            ["our_domains"] = SqlText.QuoteArray(Estate.ProtectedDomains),
            ["internal_networks"] = SqlText.QuoteArray(Estate.InternalNetworks),
            ["our_senders"] = SqlText.QuoteArray(Dmarc.DmarcView.OurSenders(Estate)),
        };
        return parameters;
    }
}
