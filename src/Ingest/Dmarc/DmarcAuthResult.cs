namespace RelayWatch.Ingest.Dmarc;

/// <summary>One DKIM signature's or SPF check's result in a record's auth_results; <see cref="Scope"/> is the DKIM selector or the SPF scope.</summary>
public readonly record struct DmarcAuthResult(string Domain, string Scope, string Result);
