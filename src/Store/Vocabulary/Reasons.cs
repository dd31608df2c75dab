namespace RelayWatch.Store.Vocabulary;

/// <summary>
/// The values of <c>smtp_events.reason</c> for a refusal (docs/schema.md): what the reply says was
/// wrong. Other event kinds carry their own words there (an SPF verdict, a rate limit's name).
/// </summary>
public static class Reasons
{
    public const string UserUnknown = "user_unknown";
    public const string RelayDenied = "relay_denied";
    public const string Rbl = "rbl";
    public const string SenderRejected = "sender_rejected";
    public const string HeloRejected = "helo_rejected";
    public const string ClientRejected = "client_rejected";
    public const string Policy = "policy";
    public const string Other = "other";

    /// <summary>Every refusal reason.</summary>
    public static IReadOnlyList<string> All { get; } = [UserUnknown, RelayDenied, Rbl, SenderRejected, HeloRejected, ClientRejected, Policy, Other];
}

/// <summary>The values of <c>smtp_events.reason</c> on an <see cref="EventNames.Spf"/> event: the verdict (RFC 7208 section 2.6).</summary>
public static class SpfVerdicts
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string SoftFail = "softfail";
    public const string Neutral = "neutral";
    public const string None = "none";
    public const string PermError = "permerror";
    public const string TempError = "temperror";

    /// <summary>Every verdict.</summary>
    public static IReadOnlyList<string> All { get; } = [Pass, Fail, SoftFail, Neutral, None, PermError, TempError];
}
