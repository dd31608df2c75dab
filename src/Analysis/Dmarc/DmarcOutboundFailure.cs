namespace RelayWatch.Analysis.Dmarc;

/// <summary>One of our own sending addresses (a relay or an internal network) whose mail receivers reported failing DKIM or SPF.</summary>
public sealed record DmarcOutboundFailure(
    string Ip,
    ulong Messages,
    ulong DkimFailing,
    ulong SpfFailing,
    ulong DmarcFailing,
    IReadOnlyList<string> Reporters,
    IReadOnlyList<string> Domains);
