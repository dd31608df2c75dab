namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// One &lt;record&gt;: <see cref="Count"/> messages from <see cref="SourceIp"/> with the same evaluation and identifiers.
/// Results are lower case. The auth_results arrays run in parallel: one element per &lt;dkim&gt; (domain, selector,
/// result) and per &lt;spf&gt; (domain, scope, result); a missing selector or scope is empty.
/// </summary>
public sealed record DmarcRecord(
    System.Net.IPAddress SourceIp,
    ulong Count,
    string Disposition,
    string Dkim,
    string Spf,
    IReadOnlyList<string> Reasons,
    string HeaderFrom,
    string EnvelopeFrom,
    string EnvelopeTo,
    IReadOnlyList<DmarcAuthResult> DkimResults,
    IReadOnlyList<DmarcAuthResult> SpfResults);
