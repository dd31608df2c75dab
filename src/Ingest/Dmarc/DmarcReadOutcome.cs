namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// What one report-bearing piece of input gave: a DMARC report, a TLS report, or a refusal with its reason. <see cref="Source"/> names
/// where it came from: the file, and inside it the zip entry or mail attachment (<c>file!entry</c>).
/// </summary>
public sealed record DmarcReadOutcome(string Source, DmarcReport? Report, string? Refusal)
{
    /// <summary>An SMTP TLS report (RFC 8460) instead of a DMARC report: they arrive the same ways.</summary>
    public TlsReport? TlsReport { get; init; }

    /// <summary>The refusal as one sentence naming its source, e.g. <c>a.xml: refused: not well-formed XML (…).</c></summary>
    public string Sentence => $"{Source}: refused: {Refusal}";
}
