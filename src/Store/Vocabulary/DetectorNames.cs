namespace RelayWatch.Store.Vocabulary;

/// <summary>The values of <c>findings.detector</c> (docs/detectors.md): one per detector.</summary>
public static class DetectorNames
{
    public const string DirectoryHarvest = "dha";
    public const string RelayProbe = "relay_probe";
    public const string OpenRelay = "open_relay";
    public const string Spoofing = "spoofing";
    public const string Backscatter = "backscatter";
    public const string BounceSource = "bounce_source";
    public const string AuthBruteForce = "auth_bruteforce";
    public const string CompromisedAccount = "compromised_account";
    public const string Snowshoe = "snowshoe";
    public const string DmarcForgery = "dmarc_forgery";
    public const string OutboundAuthFailure = "outbound_auth_failure";

    /// <summary>Every detector's name, in the order the report shows them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [DirectoryHarvest, RelayProbe, OpenRelay, Spoofing, Backscatter, BounceSource, AuthBruteForce, CompromisedAccount, Snowshoe, DmarcForgery, OutboundAuthFailure];
}
